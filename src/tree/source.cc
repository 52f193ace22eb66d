#include "tree/source.h"

#include <algorithm>
#include <string>
#include <unordered_set>

#include "tree/filters.h"

namespace honeyvt::tree {
namespace {

bool HasIndexOn(store::Database& db, const char* table, const char* column) {
  // PRAGMA index_list/index_info with a constant table name from item_kinds.cc.
  auto list = db.Prepare(std::string("PRAGMA index_list(") + table + ")");
  if (!list) return false;
  std::vector<std::string> names;
  while (true) {
    auto row = list->Step();
    if (!row || !*row) break;
    names.push_back(list->Text(1));
  }
  for (const auto& name : names) {
    auto info = db.Prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno LIMIT 1");
    if (!info) continue;
    info->Bind(1, name);
    auto row = info->Step();
    if (row && *row && info->Text(0) == column) return true;
  }
  return false;
}

std::string ConnectionSelect() { return std::string("SELECT ") + kConnectionColumns; }

}  // namespace

std::vector<const Row*> DistinctRows(std::span<const Row> rows) {
  std::vector<const Row*> out;
  std::unordered_set<std::string> seen;
  for (const Row& r : rows) {
    std::string key;
    for (const Value& v : r) {
      key += static_cast<char>('0' + static_cast<int>(v.type));
      const std::string text = PyStr(v);
      key += std::to_string(text.size());
      key += ':';
      key += text;
    }
    if (seen.insert(std::move(key)).second) out.push_back(&r);
  }
  return out;
}

TreeSource::~TreeSource() = default;

Result<TreeSource> TreeSource::Create(store::Database& db) {
  TreeSource src(db);
  for (std::size_t i = 0; i < kKindCount; ++i) {
    const KindSpec& spec = SpecOf(static_cast<Kind>(i));
    KindState& st = src.kinds_[i];
    st.exists = db.TableExists(spec.table);
    if (!st.exists) continue;
    ASSIGN_OR_RETURN(store::Statement point, db.Prepare(PointSql(spec)));
    ASSIGN_OR_RETURN(store::Statement range, db.Prepare(RangeSql(spec)));
    st.point.emplace(std::move(point));
    st.range.emplace(std::move(range));
  }
  const std::string base = ConnectionSelect() + " FROM connections AS c ";
  ASSIGN_OR_RETURN(store::Statement children_point,
                   db.Prepare("SELECT c.connection FROM connections AS c WHERE "
                              "c.connection_parent = ?1 AND c.connection != ?1 "
                              "ORDER BY c.connection"));
  ASSIGN_OR_RETURN(store::Statement children_range,
                   db.Prepare("SELECT c.connection_parent, " + std::string(kConnectionColumns) +
                              " FROM connections AS c WHERE c.connection_parent >= ?1 AND "
                              "c.connection_parent < ?2 AND c.connection != c.connection_parent "
                              "ORDER BY c.connection_parent, c.connection"));
  ASSIGN_OR_RETURN(store::Statement connection_point,
                   db.Prepare(base + "WHERE c.connection = ?1"));
  src.children_point_.emplace(std::move(children_point));
  src.children_range_.emplace(std::move(children_range));
  src.connection_point_.emplace(std::move(connection_point));
  if (db.TableExists("mysql_command_args")) {
    ASSIGN_OR_RETURN(store::Statement args,
                     db.Prepare("SELECT mysql_command_arg_data FROM mysql_command_args "
                                "WHERE mysql_command = ?1 "
                                "ORDER BY mysql_command_arg_index ASC, rowid"));
    src.mysql_args_.emplace(std::move(args));
  }
  RETURN_IF_ERROR(src.PrepareSip());
  return src;
}

Status TreeSource::PrepareSip() {
  if (!kinds_[static_cast<std::size_t>(Kind::kSip)].exists) return OkStatus();
  bool any = false;
  {
    ASSIGN_OR_RETURN(store::Statement probe, db_->Prepare("SELECT 1 FROM sip_commands LIMIT 1"));
    ASSIGN_OR_RETURN(any, probe.Step());
  }
  for (std::size_t i = 0; i < kSipPartCount; ++i) {
    const SipPartSpec& spec = SpecOf(static_cast<SipPart>(i));
    if (!db_->TableExists(spec.table)) continue;
    std::string table = spec.table;
    if (any && !HasIndexOn(*db_, spec.table, "sip_command")) {
      // An indexed private copy in the TEMP database (never in the logsql file).
      const std::string copy = std::string("honeyvt_tree_") + spec.table;
      RETURN_IF_ERROR(db_->Exec("CREATE TEMP TABLE " + copy + " AS SELECT rowid AS rid, " +
                                "sip_command, " + spec.columns + " FROM main." + spec.table +
                                " WHERE sip_command IS NOT NULL"));
      RETURN_IF_ERROR(
          db_->Exec("CREATE INDEX temp." + copy + "_idx ON " + copy + " (sip_command, rid)"));
      table = "temp." + copy;
      ASSIGN_OR_RETURN(store::Statement stmt,
                       db_->Prepare(std::string("SELECT ") + spec.columns + " FROM " + table +
                                    " WHERE sip_command = ?1 ORDER BY rid"));
      sip_[i].emplace(std::move(stmt));
    } else {
      ASSIGN_OR_RETURN(store::Statement stmt,
                       db_->Prepare(std::string("SELECT ") + spec.columns + " FROM main." +
                                    table + " WHERE sip_command = ?1 ORDER BY rowid"));
      sip_[i].emplace(std::move(stmt));
    }
  }
  return OkStatus();
}

Status TreeSource::Collect(store::Statement& stmt, int first_col, std::vector<Row>& out) {
  out.clear();
  while (true) {
    auto row = stmt.Step();
    if (!row) {
      stmt.Reset();
      return std::move(row).error();
    }
    if (!*row) break;
    Row r;
    const int n = stmt.ColumnCount();
    r.reserve(static_cast<std::size_t>(n - first_col));
    for (int c = first_col; c < n; ++c) r.push_back(Value::Read(stmt, c));
    out.push_back(std::move(r));
  }
  stmt.Reset();
  return OkStatus();
}

void TreeSource::ClearWindow() {
  lo_ = hi_ = 0;
  window_children_ = false;
  edges_.clear();
  window_rows_.clear();
  for (KindState& st : kinds_) {
    st.windowed = false;
    st.keys.clear();
    st.rows.clear();
  }
}

Status TreeSource::LoadWindow(std::int64_t lo, std::int64_t hi) {
  ClearWindow();
  lo_ = lo;
  hi_ = hi;
  for (KindState& st : kinds_) {
    if (!st.exists) continue;
    store::Statement& stmt = *st.range;
    stmt.Bind(1, lo).Bind(2, hi);
    bool overflow = false;
    while (true) {
      auto row = stmt.Step();
      if (!row) {
        stmt.Reset();
        return std::move(row).error();
      }
      if (!*row) break;
      if (st.rows.size() >= kMaxWindowRows) {
        overflow = true;
        break;
      }
      st.keys.push_back(stmt.Int64(0));
      Row r;
      for (int c = 1; c < stmt.ColumnCount(); ++c) r.push_back(Value::Read(stmt, c));
      st.rows.push_back(std::move(r));
    }
    stmt.Reset();
    if (overflow) {
      st.keys.clear();
      st.rows.clear();
    }
    st.windowed = !overflow;
  }
  store::Statement& stmt = *children_range_;
  stmt.Bind(1, lo).Bind(2, hi);
  bool overflow = false;
  while (true) {
    auto row = stmt.Step();
    if (!row) {
      stmt.Reset();
      return std::move(row).error();
    }
    if (!*row) break;
    if (edges_.size() >= kMaxWindowRows) {
      overflow = true;
      break;
    }
    Connection c = Connection::Read(stmt, 1);
    edges_.emplace_back(stmt.Int64(0), c.id);
    window_rows_.emplace(c.id, std::move(c));
  }
  stmt.Reset();
  if (overflow) {
    edges_.clear();
    window_rows_.clear();
  }
  window_children_ = !overflow;
  return OkStatus();
}

Result<std::span<const Row>> TreeSource::Items(Kind kind, std::int64_t id) {
  KindState& st = kinds_[static_cast<std::size_t>(kind)];
  if (!st.exists) return std::span<const Row>();
  if (st.windowed && id >= lo_ && id < hi_) {
    auto [b, e] = std::equal_range(st.keys.begin(), st.keys.end(), id);
    const auto first = static_cast<std::size_t>(b - st.keys.begin());
    return std::span<const Row>(st.rows.data() + first, static_cast<std::size_t>(e - b));
  }
  st.point->Bind(1, id);
  RETURN_IF_ERROR(Collect(*st.point, 1, st.scratch));
  return std::span<const Row>(st.scratch);
}

Result<std::span<const std::int64_t>> TreeSource::Children(std::int64_t id) {
  children_scratch_.clear();
  if (window_children_ && id >= lo_ && id < hi_) {
    auto cmp = [](const std::pair<std::int64_t, std::int64_t>& e, std::int64_t v) {
      return e.first < v;
    };
    for (auto it = std::lower_bound(edges_.begin(), edges_.end(), id, cmp);
         it != edges_.end() && it->first == id; ++it) {
      children_scratch_.push_back(it->second);
    }
    return std::span<const std::int64_t>(children_scratch_);
  }
  store::Statement& stmt = *children_point_;
  stmt.Bind(1, id);
  while (true) {
    auto row = stmt.Step();
    if (!row) {
      stmt.Reset();
      return std::move(row).error();
    }
    if (!*row) break;
    children_scratch_.push_back(stmt.Int64(0));
  }
  stmt.Reset();
  return std::span<const std::int64_t>(children_scratch_);
}

Result<std::optional<Connection>> TreeSource::ConnectionById(std::int64_t id) {
  if (auto it = window_rows_.find(id); it != window_rows_.end()) {
    return std::optional<Connection>(it->second);
  }
  store::Statement& stmt = *connection_point_;
  stmt.Bind(1, id);
  auto row = stmt.Step();
  std::optional<Connection> out;
  if (row && *row) out = Connection::Read(stmt, 0);
  stmt.Reset();
  if (!row) return std::move(row).error();
  return out;
}

Result<std::span<const Row>> TreeSource::SipParts(SipPart part, const Value& sip_command) {
  auto& stmt = sip_[static_cast<std::size_t>(part)];
  if (!stmt) return std::span<const Row>();
  BindValue(*stmt, 1, sip_command);
  RETURN_IF_ERROR(Collect(*stmt, 0, sip_scratch_));
  return std::span<const Row>(sip_scratch_);
}

Result<std::span<const Row>> TreeSource::MysqlArgs(const Value& mysql_command) {
  if (!mysql_args_) return std::span<const Row>();
  BindValue(*mysql_args_, 1, mysql_command);
  RETURN_IF_ERROR(Collect(*mysql_args_, 0, mysql_scratch_));
  return std::span<const Row>(mysql_scratch_);
}

}  // namespace honeyvt::tree
