#include "tree/tree.h"

#include <array>
#include <limits>
#include <memory>
#include <vector>

#include "tree/escape.h"
#include "tree/json_writer.h"
#include "tree/page_pipeline.h"
#include "tree/source.h"
#include "tree/text_writer.h"
#include "tree/vt_summary.h"
#include "tree/walker.h"

namespace honeyvt::tree {
namespace {

constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();

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
  ASSIGN_OR_RETURN(VtLookup vt, VtLookup::Create(db, options.latest_report));
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
  PageCursor cursor{std::numeric_limits<std::int64_t>::min(), kMaxInt, options.page_size};
  if (options.filters.time_from || options.filters.time_to) {
    ASSIGN_OR_RETURN(auto range, TimeIdRange(db, options.filters));
    if (!range) return OkStatus();
    cursor.after = range->first - 1;
    cursor.upto = range->second;
  }
  ASSIGN_OR_RETURN(auto pipeline, PagePipeline::Start(db.path(), query, cursor));
  // One writer per slot: a writer reads through its slot's TreeSource.
  std::array<std::unique_ptr<TreeWriter>, PagePipeline::kSlots> writers;
  // One short read transaction per page for the walk's point queries. Output is held in
  // memory meanwhile, so a slow reader (a pager) never keeps dionaea from committing; a
  // huge page is split.
  while (sink.ok()) {
    ASSIGN_OR_RETURN(PageSlot * slot, pipeline->Next());
    if (slot == nullptr) break;
    std::unique_ptr<TreeWriter>& writer = writers[slot->index];
    if (!writer) {
      if (options.format == Format::kJson)
        writer = std::make_unique<JsonWriter>(*slot->source, vt, sink);
      else
        writer = std::make_unique<TextWriter>(*slot->source, vt, sink, options.raw);
    }
    ReadScope scope(slot->db, sink);
    const std::function<Status()> split = [&]() -> Status {
      if (sink.buffered() <= kMaxHeldOutput) return OkStatus();
      RETURN_IF_ERROR(scope.End());
      return scope.Begin();
    };
    RETURN_IF_ERROR(scope.Begin());
    for (std::size_t i = 0; i < slot->count && sink.ok(); ++i) {
      RETURN_IF_ERROR(WalkTree(slot->page[i], *slot->source, *writer, sink, split));
      RETURN_IF_ERROR(split());
    }
    RETURN_IF_ERROR(scope.End());
  }
  return OkStatus();
}

}  // namespace honeyvt::tree
