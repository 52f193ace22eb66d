#include "tree/source.h"

#include <algorithm>
#include <bit>
#include <string>
#include <string_view>
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

namespace {

// Equal as SELECT DISTINCT saw them in readlogsqltree: same type and same value (a real
// by its bits, so 0.0 and -0.0 stay apart as their Python reprs do).
bool SameValue(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case store::ColumnType::kNull:
      return true;
    case store::ColumnType::kInteger:
      return a.integer == b.integer;
    case store::ColumnType::kFloat:
      return std::bit_cast<std::uint64_t>(a.real) == std::bit_cast<std::uint64_t>(b.real);
    case store::ColumnType::kText:
    case store::ColumnType::kBlob:
      return a.bytes == b.bytes;
  }
  return false;
}

bool SameRow(Row a, Row b) { return std::equal(a.begin(), a.end(), b.begin(), b.end(), SameValue); }

// Hashes what SameRow compares (equal rows hash alike).
struct RowHash {
  std::size_t operator()(Row r) const {
    std::size_t h = r.size();
    for (const Value& v : r) {
      std::size_t x = static_cast<std::size_t>(v.type);
      switch (v.type) {
        case store::ColumnType::kNull:
          break;
        case store::ColumnType::kInteger:
          x ^= std::hash<std::int64_t>{}(v.integer);
          break;
        case store::ColumnType::kFloat:
          x ^= std::hash<std::uint64_t>{}(std::bit_cast<std::uint64_t>(v.real));
          break;
        case store::ColumnType::kText:
        case store::ColumnType::kBlob:
          x ^= std::hash<std::string_view>{}(v.bytes);
          break;
      }
      h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return h;
  }
};

struct RowEqual {
  bool operator()(Row a, Row b) const { return SameRow(a, b); }
};

}  // namespace

std::vector<Row> DistinctRows(const RowList& rows) {
  std::vector<Row> out;
  constexpr std::size_t kLinear = 16;  // a connection's few binds: compare pairwise
  if (rows.size() <= kLinear) {
    for (const Row r : rows) {
      if (std::none_of(out.begin(), out.end(), [&](Row o) { return SameRow(o, r); }))
        out.push_back(r);
    }
    return out;
  }
  std::unordered_set<Row, RowHash, RowEqual> seen;
  for (const Row r : rows) {
    if (seen.insert(r).second) out.push_back(r);
  }
  return out;
}

TreeSource::~TreeSource() = default;

Result<TreeSource> TreeSource::Create(store::Database& db,
                                      std::shared_ptr<SharedSipMaps> sip_maps) {
  TreeSource src(db);
  src.sip_maps_ = sip_maps ? std::move(sip_maps) : std::make_shared<SharedSipMaps>();
  for (std::size_t i = 0; i < kKindCount; ++i) {
    const KindSpec& spec = SpecOf(static_cast<Kind>(i));
    KindState& st = src.kinds_[i];
    st.exists = db.TableExists(spec.table);
    if (!st.exists) continue;
    ASSIGN_OR_RETURN(store::Statement point, db.Prepare(PointSql(spec)));
    ASSIGN_OR_RETURN(store::Statement range, db.Prepare(RangeSql(spec)));
    st.cols = static_cast<std::size_t>(point.ColumnCount() - 1);
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
  ASSIGN_OR_RETURN(store::Statement connection_point, db.Prepare(base + "WHERE c.connection = ?1"));
  src.children_point_.emplace(std::move(children_point));
  src.children_range_.emplace(std::move(children_range));
  src.connection_point_.emplace(std::move(connection_point));
  if (db.TableExists("mysql_command_args")) {
    const char* select = "SELECT mysql_command, mysql_command_arg_data FROM mysql_command_args ";
    ASSIGN_OR_RETURN(
        store::Statement point,
        db.Prepare(std::string(select) + "WHERE mysql_command = ?1 "
                                         "ORDER BY mysql_command_arg_index ASC, rowid"));
    src.mysql_args_.point.emplace(std::move(point));
    src.mysql_args_.cols = 1;
    if (HasIndexOn(db, "mysql_command_args", "mysql_command")) {
      ASSIGN_OR_RETURN(store::Statement range,
                       db.Prepare(std::string(select) +
                                  "WHERE mysql_command >= ?1 AND mysql_command <= ?2 "
                                  "ORDER BY mysql_command, mysql_command_arg_index ASC, rowid"));
      src.mysql_args_.range.emplace(std::move(range));
    }
  }
  RETURN_IF_ERROR(src.PrepareSip());
  return src;
}

namespace {

// SIP part rows by sip_command: ?1 = the key (or ?1..?2 the key range). `located` adds
// rowid bounds (?2..?3 for a key, ?3..?4 for a range) and orders by rowid, which is
// sip_command order in a table a SipRowidMap accepted (KeyedRows checks it).
std::string SipSql(const SipPartSpec& spec, const std::string& table, const char* rowid, bool range,
                   bool located = false) {
  std::string sql = std::string("SELECT sip_command, ") + spec.columns + " FROM " + table;
  if (located) {
    if (range)
      return sql +
             " WHERE rowid >= ?3 AND rowid <= ?4 AND sip_command >= ?1 AND "
             "sip_command <= ?2 ORDER BY rowid";
    return sql + " WHERE rowid >= ?2 AND rowid <= ?3 AND sip_command = ?1 ORDER BY rowid";
  }
  if (range)
    return sql + " WHERE sip_command >= ?1 AND sip_command <= ?2 ORDER BY sip_command, " + rowid;
  return sql + " WHERE sip_command = ?1 ORDER BY " + rowid;
}

}  // namespace

Status TreeSource::PrepareSip() {
  if (!kinds_[static_cast<std::size_t>(Kind::kSip)].exists) return OkStatus();
  for (std::size_t i = 0; i < kSipPartCount; ++i) {
    const SipPartSpec& spec = SpecOf(static_cast<SipPart>(i));
    if (!db_->TableExists(spec.table)) continue;
    SubState& sub = sip_[i];
    const std::string table = std::string("main.") + spec.table;
    ASSIGN_OR_RETURN(store::Statement point, db_->Prepare(SipSql(spec, table, "rowid", false)));
    sub.point.emplace(std::move(point));
    sub.cols = static_cast<std::size_t>(sub.point->ColumnCount() - 1);
    sip_unindexed_[i] = !HasIndexOn(*db_, spec.table, "sip_command");
    if (!sip_unindexed_[i]) {
      ASSIGN_OR_RETURN(store::Statement range, db_->Prepare(SipSql(spec, table, "rowid", true)));
      sub.range.emplace(std::move(range));
    }
  }
  return OkStatus();
}

Status TreeSource::IndexSip() {
  const SipMaps* maps = nullptr;
  for (std::size_t i = 0; i < kSipPartCount; ++i) {
    if (!sip_[i].point || !sip_unindexed_[i]) continue;
    if (maps == nullptr) {
      ASSIGN_OR_RETURN(maps, sip_maps_->Get(*db_));
    }
    sip_unindexed_[i] = false;
    if (!maps->parts[i]) {
      RETURN_IF_ERROR(CopySip(i));
      continue;
    }
    const SipPartSpec& spec = SpecOf(static_cast<SipPart>(i));
    const std::string table = std::string("main.") + spec.table;
    ASSIGN_OR_RETURN(store::Statement point,
                     db_->Prepare(SipSql(spec, table, "rowid", false, true)));
    ASSIGN_OR_RETURN(store::Statement range,
                     db_->Prepare(SipSql(spec, table, "rowid", true, true)));
    SubState& sub = sip_[i];
    sub.scan = std::move(sub.point);
    sub.point.emplace(std::move(point));
    sub.range.emplace(std::move(range));
    sub.located = &*maps->parts[i];
  }
  return OkStatus();
}

Status TreeSource::CopySip(std::size_t part) {
  const SipPartSpec& spec = SpecOf(static_cast<SipPart>(part));
  const std::string copy = std::string("honeyvt_tree_") + spec.table;
  RETURN_IF_ERROR(db_->Exec("CREATE TEMP TABLE " + copy + " AS SELECT rowid AS rid, " +
                            "sip_command, " + spec.columns + " FROM main." + spec.table +
                            " WHERE sip_command IS NOT NULL"));
  RETURN_IF_ERROR(
      db_->Exec("CREATE INDEX temp." + copy + "_idx ON " + copy + " (sip_command, rid)"));
  const std::string table = "temp." + copy;
  ASSIGN_OR_RETURN(store::Statement point, db_->Prepare(SipSql(spec, table, "rid", false)));
  ASSIGN_OR_RETURN(store::Statement range, db_->Prepare(SipSql(spec, table, "rid", true)));
  sip_[part].point.emplace(std::move(point));
  sip_[part].range.emplace(std::move(range));
  return OkStatus();
}

Result<RowList> TreeSource::Collect(store::Statement& stmt, int first_col, CellStore& out) {
  out.Clear(static_cast<std::size_t>(stmt.ColumnCount() - first_col));
  ASSIGN_OR_RETURN(bool complete,
                   ScanCapped(stmt, static_cast<std::size_t>(-1),
                              [&](const store::Statement& s) { out.Append(s, first_col); }));
  (void)complete;
  return out.List();
}

void TreeSource::ClearWindow() {
  lo_ = hi_ = 0;
  window_children_ = false;
  edges_.clear();
  window_used_ = 0;
  by_id_.clear();
  for (KindState& st : kinds_) st.window.Clear(st.cols);
  for (SubState& sub : sip_) sub.window.Clear(sub.cols);
  mysql_args_.window.Clear(mysql_args_.cols);
}

Status TreeSource::LoadWindow(std::int64_t lo, std::int64_t hi) {
  ClearWindow();
  if (hi <= lo) return OkStatus();
  lo_ = lo;
  hi_ = hi;
  for (KindState& st : kinds_) {
    if (!st.exists) continue;
    RETURN_IF_ERROR(st.window.Load(*st.range, lo, hi - 1, st.cols, kMaxWindowRows));
  }
  RETURN_IF_ERROR(LoadSub(mysql_args_, Kind::kMysqlCommand, 0));
  // A window with many SIP commands makes the SIP parts fast first. Unindexed parts
  // (before that) have no range statement and stay unwindowed.
  const KeyedRows& sip = kinds_[static_cast<std::size_t>(Kind::kSip)].window;
  if (sip.valid() && sip.all().size() > kDirectSipLookups) RETURN_IF_ERROR(IndexSip());
  for (SubState& sub : sip_) RETURN_IF_ERROR(LoadSub(sub, Kind::kSip, 0));
  return LoadChildren(lo, hi);
}

Status TreeSource::LoadSub(SubState& sub, Kind parent, std::size_t col) {
  const KeyedRows& rows = kinds_[static_cast<std::size_t>(parent)].window;
  if (!sub.range || !rows.valid()) return OkStatus();
  const auto span = IntegerSpan(rows.all(), col);
  if (!span) return OkStatus();
  if (sub.located) {
    const auto [first, last] = sub.located->Bounds(span->first, span->second);
    sub.range->Bind(3, first).Bind(4, last);  // Load binds ?1 and ?2
  }
  return sub.window.Load(*sub.range, span->first, span->second, sub.cols, kMaxWindowRows);
}

Status TreeSource::LoadChildren(std::int64_t lo, std::int64_t hi) {
  store::Statement& stmt = *children_range_;
  stmt.Bind(1, lo).Bind(2, hi);
  ASSIGN_OR_RETURN(bool complete, ScanCapped(stmt, kMaxWindowRows, [&](const store::Statement& s) {
                     if (window_rows_.size() <= window_used_) window_rows_.resize(window_used_ + 1);
                     Connection& c = window_rows_[window_used_];
                     c.ReadInto(s, 1);
                     edges_.emplace_back(s.Int64(0), c.id);
                     by_id_.emplace_back(c.id, window_used_);
                     ++window_used_;
                   }));
  if (!complete) {
    edges_.clear();
    by_id_.clear();
    window_used_ = 0;
  }
  std::sort(by_id_.begin(), by_id_.end());
  window_children_ = complete;
  return OkStatus();
}

Result<RowList> TreeSource::Items(Kind kind, std::int64_t id) {
  KindState& st = kinds_[static_cast<std::size_t>(kind)];
  if (!st.exists) return RowList();
  RowList out;
  if (st.window.Find(id, out)) return out;
  st.point->Bind(1, id);
  return Collect(*st.point, 1, st.scratch);
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
  ASSIGN_OR_RETURN(bool complete,
                   ScanCapped(stmt, static_cast<std::size_t>(-1), [&](const store::Statement& s) {
                     children_scratch_.push_back(s.Int64(0));
                   }));
  (void)complete;
  return std::span<const std::int64_t>(children_scratch_);
}

Result<const Connection*> TreeSource::ConnectionById(std::int64_t id) {
  auto it =
      std::lower_bound(by_id_.begin(), by_id_.end(), std::pair<std::int64_t, std::size_t>(id, 0));
  if (it != by_id_.end() && it->first == id) return &window_rows_[it->second];
  store::Statement& stmt = *connection_point_;
  stmt.Bind(1, id);
  auto row = stmt.Step();
  const Connection* out = nullptr;
  if (row && *row) {
    scratch_connection_.ReadInto(stmt, 0);
    out = &scratch_connection_;
  }
  stmt.Reset();
  if (!row) return std::move(row).error();
  return out;
}

Result<RowList> TreeSource::SubRows(SubState& sub, const Value& key, CellStore& scratch) {
  if (!sub.point) return RowList();
  RowList out;
  if (key.type == store::ColumnType::kInteger && sub.window.Find(key.integer, out)) return out;
  if (sub.located) {
    if (key.type != store::ColumnType::kInteger) {
      BindValue(*sub.scan, 1, key);  // '5' still equals 5 in an INTEGER column
      return Collect(*sub.scan, 1, scratch);
    }
    const auto [first, last] = sub.located->Bounds(key.integer, key.integer);
    sub.point->Bind(1, key.integer).Bind(2, first).Bind(3, last);
    return Collect(*sub.point, 1, scratch);
  }
  BindValue(*sub.point, 1, key);
  return Collect(*sub.point, 1, scratch);
}

Result<RowList> TreeSource::SipParts(SipPart part, const Value& sip_command) {
  if (part == SipPart::kAddrs && ++sip_lookups_ > kDirectSipLookups) {
    RETURN_IF_ERROR(IndexSip());
  }
  return SubRows(sip_[static_cast<std::size_t>(part)], sip_command, sip_scratch_);
}

Result<RowList> TreeSource::MysqlArgs(const Value& mysql_command) {
  return SubRows(mysql_args_, mysql_command, mysql_scratch_);
}

}  // namespace honeyvt::tree
