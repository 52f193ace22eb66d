#include "tree/tree.h"

#include <limits>
#include <vector>

#include "tree/escape.h"
#include "tree/json_writer.h"
#include "tree/source.h"
#include "tree/text_writer.h"
#include "tree/vt_summary.h"
#include "tree/walker.h"

namespace honeyvt::tree {
namespace {

constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();

std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  return a > kMaxInt - b ? kMaxInt : a + b;
}

// Reads the next page of roots (id > after) and releases the statement's lock.
// `out` is reused in place (no allocation once warm); `count` receives the row count.
Status NextPage(store::Statement& stmt, const RootQuery& query, std::int64_t after,
                std::int64_t upto, std::size_t limit, std::vector<Connection>& out,
                std::size_t& count) {
  count = 0;
  int i = 0;
  for (const Value& v : query.params) BindValue(stmt, ++i, v);
  stmt.Bind(++i, after);
  stmt.Bind(++i, static_cast<std::int64_t>(limit));
  stmt.Bind(++i, upto);
  while (true) {
    auto row = stmt.Step();
    if (!row) {
      stmt.Reset();
      return std::move(row).error();
    }
    if (!*row) break;
    if (out.size() <= count) out.resize(count + 1);
    out[count++].ReadInto(stmt, 0);
  }
  stmt.Reset();
  return OkStatus();
}

constexpr std::size_t kMaxHeldOutput = 4 << 20;

// BEGIN ... COMMIT of a read-only transaction with the sink held in between.
class ReadScope {
 public:
  ReadScope(store::Database& db, Sink& sink) : db_(db), sink_(sink) {}
  ~ReadScope() {
    if (open_) (void)End();
  }
  Status Begin() {
    RETURN_IF_ERROR(db_.Exec("BEGIN"));
    open_ = true;
    sink_.Hold();
    return OkStatus();
  }
  Status End() {
    if (!open_) return OkStatus();
    open_ = false;
    Status st = db_.Exec("COMMIT");
    sink_.Release();
    return st;
  }

 private:
  store::Database& db_;
  Sink& sink_;
  bool open_ = false;
};

// The id range that can hold connections inside the -t/-T bounds, found with dionaea's
// connections_timestamp_idx. The root query stays authoritative; this only lets its
// rowid scan start and stop close to the matching rows. nullopt: nothing matches.
Result<std::optional<std::pair<std::int64_t, std::int64_t>>> TimeIdRange(store::Database& db,
                                                                         const TreeFilters& f) {
  using Range = std::optional<std::pair<std::int64_t, std::int64_t>>;
  // Only the bounds given, with the root query's exact comparisons (NULL and TEXT
  // timestamps behave the same).
  const char* where = f.time_from && f.time_to
                          ? "connection_timestamp > ?1 AND connection_timestamp < ?2"
                      : f.time_from ? "connection_timestamp > ?1"
                                    : "connection_timestamp < ?2";
  ASSIGN_OR_RETURN(store::Statement stmt,
                   db.Prepare(std::string("SELECT min(connection), max(connection) FROM "
                                          "connections WHERE ") +
                              where));
  if (f.time_from) stmt.Bind(1, *f.time_from);
  if (f.time_to) stmt.Bind(2, *f.time_to);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.IsNull(0)) return Range();
  return Range(std::pair(stmt.Int64(0), stmt.Int64(1)));
}

}  // namespace

std::string QueryOnlyText(const TreeOptions& options) {
  return "using database located at " + options.db_label + "\n" +
         BuildRootQuery(options.filters).text + "\n";
}

Status RunTree(store::Database& db, const TreeOptions& options, Sink& sink) {
  if (!db.TableExists("connections")) {
    return MakeError(ErrorCode::kCorrupt,
                     db.path().string() + ": not a dionaea logsql database (no connections table)");
  }
  const RootQuery query = BuildRootQuery(options.filters);
  ASSIGN_OR_RETURN(store::Statement roots, db.Prepare(PagedRootSql(query)));
  ASSIGN_OR_RETURN(TreeSource source, TreeSource::Create(db));
  ASSIGN_OR_RETURN(VtLookup vt, VtLookup::Create(db, options.latest_report));
  TextWriter text(source, vt, sink, options.raw);
  JsonWriter json(source, vt, sink);
  TreeWriter& writer = options.format == Format::kJson ? static_cast<TreeWriter&>(json) : text;
  if (options.format == Format::kText) {
    sink.Write("using database located at ");
    std::string label;
    if (options.raw)
      label = options.db_label;
    else
      AppendTerminalSafe(label, options.db_label);
    sink.Write(label);
    sink.Write("\n");
  }
  const std::size_t limit = options.page_size == 0 ? 1 : options.page_size;
  std::vector<Connection> page;
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  std::int64_t upto = kMaxInt;
  if (options.filters.time_from || options.filters.time_to) {
    ASSIGN_OR_RETURN(auto range, TimeIdRange(db, options.filters));
    if (!range) return OkStatus();
    after = range->first - 1;
    upto = range->second;
  }
  // One short read transaction per page of roots: SQLite then locks the file once per
  // page instead of once per statement. Output is held in memory meanwhile, so a slow
  // reader (a pager) never keeps dionaea from committing; a huge page is split.
  ReadScope scope(db, sink);
  const std::function<Status()> split = [&]() -> Status {
    if (sink.buffered() <= kMaxHeldOutput) return OkStatus();
    RETURN_IF_ERROR(scope.End());
    return scope.Begin();
  };
  while (sink.ok()) {
    RETURN_IF_ERROR(scope.Begin());
    std::size_t count = 0;
    RETURN_IF_ERROR(NextPage(roots, query, after, upto, limit, page, count));
    if (count == 0) break;
    const Connection& last = page[count - 1];
    // Dense pages (at least one root per 64 ids) prefetch the whole id range at once.
    const std::int64_t lo = page.front().id;
    const std::int64_t span = last.id - lo;
    if (span >= 0 && span <= 64 * static_cast<std::int64_t>(count)) {
      RETURN_IF_ERROR(source.LoadWindow(lo, SaturatingAdd(last.id, 1 + 256 + span / 8)));
    } else {
      source.ClearWindow();
    }
    for (std::size_t i = 0; i < count; ++i) {
      const Connection& root = page[i];
      if (!sink.ok()) break;
      RETURN_IF_ERROR(WalkTree(root, source, writer, sink, split));
      RETURN_IF_ERROR(split());
    }
    RETURN_IF_ERROR(scope.End());
    if (count < limit) break;
    after = last.id;
  }
  return OkStatus();
}

}  // namespace honeyvt::tree
