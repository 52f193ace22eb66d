#include "web/replica.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>

#include "report/indexes.h"
#include "store/logsql.h"

namespace honeyvt::web {

// One copied table: its integer primary key and the columns the report module reads.
// Table and column names are constants of this file; SQL is built from them only.
struct ReportReplica::Table {
  const char* name;
  const char* pk;
  std::vector<const char*> columns;
  int tail_factor = 1;  // connections: children are linked after their insert
};

namespace {

// Bumped whenever the replica's layout or the copied columns change: the file is rebuilt.
constexpr int kReplicaVersion = 1;
constexpr std::int64_t kEnd = std::numeric_limits<std::int64_t>::max();

const std::vector<ReportReplica::Table>& Tables() {
  static const std::vector<ReportReplica::Table> kTables = {
      {"dcerpcservices", "dcerpcservice", {"dcerpcservice_uuid", "dcerpcservice_name"}},
      {"dcerpcserviceops",
       "dcerpcserviceop",
       {"dcerpcservice", "dcerpcserviceop_opnum", "dcerpcserviceop_name", "dcerpcserviceop_vuln"}},
      {"connections", "connection", {"connection_timestamp", "connection_root"}, 4},
      {"downloads", "download", {"connection", "download_md5_hash"}},
      {"dcerpcrequests",
       "dcerpcrequest",
       {"connection", "dcerpcrequest_uuid", "dcerpcrequest_opnum"}},
      {"virustotals",
       "virustotal",
       {"virustotal_md5_hash", "virustotal_timestamp", "virustotal_permalink"}},
      {"virustotalscans",
       "virustotalscan",
       {"virustotal", "virustotalscan_scanner", "virustotalscan_result"}},
  };
  return kTables;
}

constexpr std::size_t kVirustotals = 5;

// One SQLite value, type preserved (the copy must read back exactly as the original).
struct Value {
  store::ColumnType type = store::ColumnType::kNull;
  std::int64_t i = 0;
  double d = 0;
  std::string s;
  bool operator==(const Value& o) const {
    if (type != o.type) return false;
    switch (type) {
      case store::ColumnType::kInteger:
        return i == o.i;
      case store::ColumnType::kFloat:
        // Bit for bit: NaN equals itself and -0.0 differs from 0.0, as stored.
        return std::bit_cast<std::uint64_t>(d) == std::bit_cast<std::uint64_t>(o.d);
      case store::ColumnType::kText:
      case store::ColumnType::kBlob:
        return s == o.s;
      case store::ColumnType::kNull:
        return true;
    }
    return false;
  }
};

struct Row {
  std::int64_t pk = 0;
  std::vector<Value> values;
};

Value Read(const store::Statement& s, int col) {
  Value v;
  v.type = s.Type(col);
  switch (v.type) {
    case store::ColumnType::kInteger:
      v.i = s.Int64(col);
      break;
    case store::ColumnType::kFloat:
      v.d = s.Double(col);
      break;
    case store::ColumnType::kText:
      v.s = std::string(s.TextView(col));
      break;
    case store::ColumnType::kBlob:
      v.s = s.Blob(col);
      break;
    case store::ColumnType::kNull:
      break;
  }
  return v;
}

void BindValue(store::Statement& s, int index, const Value& v) {
  switch (v.type) {
    case store::ColumnType::kInteger:
      s.Bind(index, v.i);
      break;
    case store::ColumnType::kFloat:
      s.Bind(index, v.d);
      break;
    case store::ColumnType::kText:
      s.Bind(index, std::string_view(v.s));
      break;
    case store::ColumnType::kBlob:
      s.BindBlob(index, v.s);
      break;
    case store::ColumnType::kNull:
      s.BindNull(index);
      break;
  }
}

std::string ColumnList(const ReportReplica::Table& t) {
  std::string cols = t.pk;
  for (const char* c : t.columns) cols += std::string(", ") + c;
  return cols;
}

// Rows with after < pk <= until, at most `limit` of them (0: all), ordered by pk.
Result<std::vector<Row>> ReadRange(store::Database& db, const ReportReplica::Table& t,
                                   std::int64_t after, std::int64_t until, int limit) {
  const std::string sql = "SELECT " + ColumnList(t) + " FROM " + t.name + " WHERE " + t.pk +
                          " > ?1 AND " + t.pk + " <= ?2 ORDER BY " + t.pk + " LIMIT ?3";
  ASSIGN_OR_RETURN(store::Statement s, db.Prepare(sql));
  s.BindAll(after, until, static_cast<std::int64_t>(limit > 0 ? limit : -1));
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Row r;
    r.pk = s.Int64(0);
    for (int c = 1; c <= static_cast<int>(t.columns.size()); ++c) r.values.push_back(Read(s, c));
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace

struct ReportReplica::Chunk {
  std::int64_t last = 0;       // rows up to here are now equal
  std::int64_t last_read = 0;  // id of the last logsql row read (0: none)
  int read = 0;                // logsql rows read
  std::int64_t changed = 0;
  bool at_end = false;  // logsql has no row after `last` in the range
};

ReportReplica::ReportReplica(std::filesystem::path path, store::Database db, Pool& logsql,
                             ReadMetrics reads, ReplicaOptions options)
    : path_(std::move(path)),
      db_(std::move(db)),
      logsql_(logsql),
      reads_(reads),
      options_(options) {}

ReportReplica::~ReportReplica() = default;

Result<std::unique_ptr<ReportReplica>> ReportReplica::Open(const std::filesystem::path& path,
                                                           Pool& logsql, ReadMetrics reads,
                                                           ReplicaOptions options) {
  // Which of the copied tables logsql has (files of early eras lack some): the replica
  // has exactly those, so the report module sees the same era in both.
  std::vector<bool> present;
  {
    ASSIGN_OR_RETURN(Pool::Lease lease, logsql.Acquire());
    for (const Table& t : Tables()) present.push_back(lease.db().TableExists(t.name));
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (!exists) {
      ASSIGN_OR_RETURN(store::Logsql created, store::Logsql::Create(path));
      store::Database& db = created.db();
      ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
      RETURN_IF_ERROR(
          db.Exec("DROP TRIGGER IF EXISTS connections_INSERT_update_connection_root_trg"));
      std::vector<std::string> indexes;
      {
        ASSIGN_OR_RETURN(store::Statement s,
                         db.Prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                    "sql IS NOT NULL AND name <> 'virustotals_md5_hash_idx'"));
        while (true) {
          ASSIGN_OR_RETURN(bool row, s.Step());
          if (!row) break;
          indexes.push_back(s.Text(0));
        }
      }
      for (const std::string& name : indexes) {
        // Names from the schema we just created (dionaea's, a constant of store/).
        RETURN_IF_ERROR(db.Exec("DROP INDEX IF EXISTS \"" + name + "\""));
      }
      for (std::size_t i = 0; i < Tables().size(); ++i) {
        if (!present[i]) RETURN_IF_ERROR(db.Exec(std::string("DROP TABLE ") + Tables()[i].name));
      }
      RETURN_IF_ERROR(
          db.Exec("CREATE TABLE honeyvt_replica (name TEXT PRIMARY KEY, cursor INTEGER NOT NULL, "
                  "sweep INTEGER NOT NULL)"));
      RETURN_IF_ERROR(db.Exec("CREATE TABLE honeyvt_replica_meta (key TEXT PRIMARY KEY, value)"));
      ASSIGN_OR_RETURN(store::Statement v,
                       db.Prepare("INSERT INTO honeyvt_replica_meta VALUES ('version', ?1)"));
      v.Bind(1, kReplicaVersion);
      RETURN_IF_ERROR(v.Run());
      RETURN_IF_ERROR(tx.Commit());
    }
    ASSIGN_OR_RETURN(store::Database db,
                     store::Database::Open(path, {.mode = store::OpenMode::kReadWrite,
                                                  .busy_timeout = std::chrono::seconds(5),
                                                  .owned = true}));
    // A cache: a crash may lose the last transactions, never the file. A bigger page cache
    // for the report indexes' random inserts.
    RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = NORMAL"));
    RETURN_IF_ERROR(db.Exec("PRAGMA cache_size = -32768"));
    bool usable = db.TableExists("honeyvt_replica_meta");
    if (usable) {
      ASSIGN_OR_RETURN(store::Statement v,
                       db.Prepare("SELECT value FROM honeyvt_replica_meta WHERE key = 'version'"));
      ASSIGN_OR_RETURN(bool row, v.Step());
      usable = row && v.Int64(0) == kReplicaVersion;
    }
    for (std::size_t i = 0; usable && i < Tables().size(); ++i) {
      usable = db.TableExists(Tables()[i].name) == present[i];
    }
    if (!usable) {
      // Another version's layout, or logsql gained or lost a table: start again.
      if (attempt > 0) return MakeError(ErrorCode::kInternal, path.string() + ": cannot rebuild");
      spdlog::info("web: rebuilding the report replica {}", path.string());
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(path.string() + suffix, ec);
      }
      continue;
    }
    std::unique_ptr<ReportReplica> replica(
        new ReportReplica(path, std::move(db), logsql, reads, options));
    RETURN_IF_ERROR(replica->Load());
    return replica;
  }
  return MakeError(ErrorCode::kInternal, path.string() + ": cannot open the report replica");
}

Status ReportReplica::Load() {
  state_.clear();
  for (const Table& t : Tables()) state_.push_back({t.name, 0, 0});
  ASSIGN_OR_RETURN(store::Statement s,
                   db_.Prepare("SELECT name, cursor, sweep FROM honeyvt_replica"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    for (ReplicaTableState& st : state_) {
      if (st.table == s.TextView(0)) {
        st.cursor = s.Int64(1);
        st.sweep = s.Int64(2);
      }
    }
  }
  ASSIGN_OR_RETURN(store::Statement a,
                   db_.Prepare("SELECT 1 FROM honeyvt_replica_meta WHERE key = 'indexed'"));
  ASSIGN_OR_RETURN(bool indexed, a.Step());
  indexed_ = indexed;
  return OkStatus();
}

Status ReportReplica::Save(std::size_t table) {
  ASSIGN_OR_RETURN(store::Statement s,
                   db_.Prepare("INSERT OR REPLACE INTO honeyvt_replica (name, cursor, sweep) "
                               "VALUES (?1, ?2, ?3)"));
  s.BindAll(state_[table].table, state_[table].cursor, state_[table].sweep);
  return s.Run();
}

Status ReportReplica::Reset() {
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db_));
  for (const Table& t : Tables()) {
    if (db_.TableExists(t.name)) RETURN_IF_ERROR(db_.Exec(std::string("DELETE FROM ") + t.name));
  }
  RETURN_IF_ERROR(db_.Exec("DELETE FROM honeyvt_replica"));
  RETURN_IF_ERROR(tx.Commit());
  ++generation_;
  caught_up_ = false;
  return Load();
}

std::vector<ReplicaTableState> ReportReplica::tables() const { return state_; }

Result<std::vector<std::pair<std::string, std::int64_t>>> ReportReplica::RowCounts() {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const char* t : {"connections", "downloads", "virustotals", "virustotalscans"}) {
    if (!db_.TableExists(t)) continue;
    ASSIGN_OR_RETURN(store::Statement s, db_.Prepare(std::string("SELECT count(*) FROM ") + t));
    ASSIGN_OR_RETURN(bool row, s.Step());
    out.emplace_back(t, row ? s.Int64(0) : 0);
  }
  return out;
}

// Makes the replica's rows of table `ti` with after < pk <= end equal to logsql's, where
// end is `until`, or the last row read when `limit` rows were read before it.
Result<ReportReplica::Chunk> ReportReplica::Reconcile(std::size_t ti, std::int64_t after,
                                                      std::int64_t until, int limit) {
  const Table& t = Tables()[ti];
  Chunk chunk;
  std::vector<Row> source;
  {
    ASSIGN_OR_RETURN(Pool::Lease lease, logsql_.Acquire());
    ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), reads_));
    auto rows = ReadRange(lease.db(), t, after, until, limit);
    if (!rows) return scope.Note(std::move(rows).error());
    source = std::move(*rows);
  }
  chunk.read = static_cast<int>(source.size());
  chunk.at_end = static_cast<int>(source.size()) < limit;
  const std::int64_t end = chunk.at_end ? until : source.back().pk;
  chunk.last = end;
  chunk.last_read = source.empty() ? 0 : source.back().pk;
  ASSIGN_OR_RETURN(std::vector<Row> mine, ReadRange(db_, t, after, end, 0));
  // Merge the two ordered lists: rows only here are deleted, rows only there or
  // different are written.
  std::vector<const Row*> upserts;
  std::vector<std::int64_t> deletes;
  std::vector<std::int64_t> changed_reports;  // virustotals rows deleted or rewritten
  std::vector<std::string> new_md5s;          // md5s of virustotals rows written
  std::size_t a = 0, b = 0;
  while (a < source.size() || b < mine.size()) {
    if (b == mine.size() || (a < source.size() && source[a].pk < mine[b].pk)) {
      upserts.push_back(&source[a++]);
    } else if (a == source.size() || mine[b].pk < source[a].pk) {
      deletes.push_back(mine[b].pk);
      if (ti == kVirustotals) changed_reports.push_back(mine[b].pk);
      ++b;
    } else {
      if (!(source[a].values == mine[b].values)) {
        upserts.push_back(&source[a]);
        if (ti == kVirustotals) changed_reports.push_back(source[a].pk);
      }
      ++a;
      ++b;
    }
  }
  if (upserts.empty() && deletes.empty()) return chunk;
  if (ti == kVirustotals) {
    for (const Row* r : upserts) new_md5s.push_back(r->values[0].s);
  }
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db_));
  {
    std::string placeholders = "?1";
    for (std::size_t i = 0; i < t.columns.size(); ++i)
      placeholders += ", ?" + std::to_string(i + 2);
    ASSIGN_OR_RETURN(store::Statement up,
                     db_.Prepare("INSERT OR REPLACE INTO " + std::string(t.name) + " (" +
                                 ColumnList(t) + ") VALUES (" + placeholders + ")"));
    for (const Row* r : upserts) {
      up.Reset();
      up.Bind(1, r->pk);
      for (std::size_t i = 0; i < r->values.size(); ++i) {
        BindValue(up, static_cast<int>(i) + 2, r->values[i]);
      }
      RETURN_IF_ERROR(up.Run());
    }
    ASSIGN_OR_RETURN(store::Statement del, db_.Prepare("DELETE FROM " + std::string(t.name) +
                                                       " WHERE " + t.pk + " = ?1"));
    for (std::int64_t pk : deletes) {
      del.Reset();
      del.Bind(1, pk);
      RETURN_IF_ERROR(del.Run());
    }
  }
  chunk.changed = static_cast<std::int64_t>(upserts.size() + deletes.size());
  if (ti == kVirustotals && !(changed_reports.empty() && new_md5s.empty())) {
    RETURN_IF_ERROR(ResyncReports(changed_reports, new_md5s, chunk));
  }
  RETURN_IF_ERROR(tx.Commit());
  return chunk;
}

// Inside the caller's write transaction: the reports of `md5s` that logsql no longer has
// are deleted here, and the scan rows of every report in `ids` or deleted now are copied
// again from logsql (none when the report is gone).
Status ReportReplica::ResyncReports(const std::vector<std::int64_t>& ids,
                                    const std::vector<std::string>& md5s, Chunk& chunk) {
  std::set<std::int64_t> resync(ids.begin(), ids.end());
  // Other reports of the same samples that this copy holds.
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> others;
  {
    ASSIGN_OR_RETURN(
        store::Statement s,
        db_.Prepare("SELECT virustotal FROM virustotals WHERE virustotal_md5_hash = ?1"));
    for (const std::string& md5 : std::set<std::string>(md5s.begin(), md5s.end())) {
      s.Reset();
      s.Bind(1, md5);
      std::vector<std::int64_t> held;
      while (true) {
        ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        held.push_back(s.Int64(0));
      }
      if (held.size() > 1) others.emplace_back(md5, std::move(held));
    }
  }
  const bool has_scans = db_.TableExists("virustotalscans");
  std::vector<std::int64_t> gone;
  std::vector<std::pair<std::int64_t, std::vector<Row>>> scans;  // report -> its rows
  {
    ASSIGN_OR_RETURN(Pool::Lease lease, logsql_.Acquire());
    ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), reads_));
    auto lookup = [&]() -> Status {
      ASSIGN_OR_RETURN(store::Statement ids_of,
                       lease.db().Prepare("SELECT virustotal FROM virustotals "
                                          "WHERE virustotal_md5_hash = ?1"));
      for (const auto& [md5, held] : others) {
        ids_of.Reset();
        ids_of.Bind(1, md5);
        std::set<std::int64_t> there;
        while (true) {
          ASSIGN_OR_RETURN(bool row, ids_of.Step());
          if (!row) break;
          there.insert(ids_of.Int64(0));
        }
        for (std::int64_t id : held) {
          if (there.count(id) == 0) {
            gone.push_back(id);
            resync.insert(id);
          }
        }
      }
      if (!has_scans) return OkStatus();
      ASSIGN_OR_RETURN(store::Statement rows,
                       lease.db().Prepare("SELECT virustotalscan, virustotal, "
                                          "virustotalscan_scanner, virustotalscan_result FROM "
                                          "virustotalscans WHERE virustotal = ?1"));
      for (std::int64_t id : resync) {
        rows.Reset();
        rows.Bind(1, id);
        auto& list = scans.emplace_back(id, std::vector<Row>()).second;
        while (true) {
          ASSIGN_OR_RETURN(bool row, rows.Step());
          if (!row) break;
          Row r;
          r.pk = rows.Int64(0);
          for (int c = 1; c <= 3; ++c) r.values.push_back(Read(rows, c));
          list.push_back(std::move(r));
        }
      }
      return OkStatus();
    };
    if (Status st = lookup(); !st) return scope.Note(st.error());
  }
  ASSIGN_OR_RETURN(store::Statement del,
                   db_.Prepare("DELETE FROM virustotals WHERE virustotal = ?1"));
  for (std::int64_t id : gone) {
    del.Reset();
    del.Bind(1, id);
    RETURN_IF_ERROR(del.Run());
    ++chunk.changed;
  }
  if (!has_scans) return OkStatus();
  ASSIGN_OR_RETURN(store::Statement drop,
                   db_.Prepare("DELETE FROM virustotalscans WHERE virustotal = ?1"));
  ASSIGN_OR_RETURN(store::Statement put,
                   db_.Prepare("INSERT OR REPLACE INTO virustotalscans (virustotalscan, "
                               "virustotal, virustotalscan_scanner, virustotalscan_result) "
                               "VALUES (?1, ?2, ?3, ?4)"));
  for (const auto& [id, rows] : scans) {
    drop.Reset();
    drop.Bind(1, id);
    RETURN_IF_ERROR(drop.Run());
    chunk.changed += db_.Changes();
    for (const Row& r : rows) {
      put.Reset();
      put.Bind(1, r.pk);
      for (int c = 0; c < 3; ++c) BindValue(put, c + 2, r.values[static_cast<std::size_t>(c)]);
      RETURN_IF_ERROR(put.Run());
      ++chunk.changed;
    }
  }
  return OkStatus();
}

Result<SyncStats> ReportReplica::Sync() {
  SyncStats stats;
  // A new logsql file in the same place: its connections end below our cursor.
  {
    std::int64_t top = 0;
    ASSIGN_OR_RETURN(Pool::Lease lease, logsql_.Acquire());
    ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), reads_));
    auto s = lease.db().Prepare("SELECT coalesce(max(connection), 0) FROM connections");
    if (!s) return scope.Note(std::move(s).error());
    auto row = s->Step();
    if (!row) return scope.Note(std::move(row).error());
    top = *row ? s->Int64(0) : 0;
    s->Reset();
    scope.End();
    constexpr std::size_t kConnections = 2;
    if (top < state_[kConnections].cursor) {
      spdlog::info("web: logsql ends below the report replica's cursor; copying it again");
      RETURN_IF_ERROR(Reset());
    }
  }
  bool all_at_end = true;
  const std::int64_t before = generation_;
  for (std::size_t ti = 0; ti < Tables().size(); ++ti) {
    const Table& t = Tables()[ti];
    if (!db_.TableExists(t.name)) continue;
    ReplicaTableState& st = state_[ti];
    auto count = [&](const Chunk& c) {
      stats.rows_read += c.read;
      stats.changed += c.changed;
      if (c.changed > 0) generation_ = before + 1;
    };
    // The tail before the cursor (reused rowids, freshly linked connections).
    const std::int64_t tail = static_cast<std::int64_t>(options_.tail_rows) * t.tail_factor;
    for (std::int64_t from = std::max<std::int64_t>(0, st.cursor - tail); from < st.cursor;) {
      ASSIGN_OR_RETURN(Chunk c, Reconcile(ti, from, st.cursor, options_.chunk_rows));
      count(c);
      if (c.at_end) break;
      from = c.last;
    }
    // New rows.
    bool at_end = false;
    for (int n = 0; n < options_.max_chunks && !at_end; ++n) {
      ASSIGN_OR_RETURN(Chunk c, Reconcile(ti, st.cursor, kEnd, options_.chunk_rows));
      count(c);
      at_end = c.at_end;
      st.cursor = std::max(st.cursor, c.last_read);
    }
    all_at_end = all_at_end && at_end;
    // One chunk of the sweep over older rows.
    if (st.cursor > 0) {
      if (st.sweep >= st.cursor) st.sweep = 0;
      ASSIGN_OR_RETURN(Chunk c, Reconcile(ti, st.sweep, st.cursor, options_.chunk_rows));
      count(c);
      st.sweep = c.at_end ? 0 : c.last;
    }
    RETURN_IF_ERROR(Save(ti));
  }
  if (all_at_end) {
    if (!indexed_) {
      // The first copy is complete: build the report indexes now (one sort per index is
      // far quicker than keeping them up to date through millions of inserts), with the
      // planner's statistics.
      if (db_.TableExists("virustotalscans")) RETURN_IF_ERROR(report::AddReportIndexes(db_));
      RETURN_IF_ERROR(db_.Exec("ANALYZE"));
      RETURN_IF_ERROR(
          db_.Exec("INSERT OR REPLACE INTO honeyvt_replica_meta VALUES ('indexed', 1)"));
      indexed_ = true;
    }
    caught_up_ = true;
  }
  stats.caught_up = caught_up_;
  return stats;
}

}  // namespace honeyvt::web
