#include "web/rollups.h"

#include <map>
#include <tuple>

#include "core/strings.h"
#include "report/family.h"
#include "store/state_db.h"

namespace honeyvt::web {
namespace {

// Rows per read transaction on logsql: about 10 ms each on the benchmark's database.
constexpr int kBatch = 1000;
constexpr int kVerdictBatch = 100;

bool IsTime(const store::Statement& s, int col) {
  const auto t = s.Type(col);
  return t == store::ColumnType::kInteger || t == store::ColumnType::kFloat;
}

}  // namespace

Result<std::int64_t> RollupUpdater::Cursor(const char* name) {
  ASSIGN_OR_RETURN(store::Statement s,
                   out_.Prepare("SELECT last_rowid FROM rollup_cursors WHERE name = ?"));
  s.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int64(0) : 0;
}

Status RollupUpdater::SaveCursor(const char* name, std::int64_t rowid) {
  ASSIGN_OR_RETURN(store::Statement s,
                   out_.Prepare("INSERT INTO rollup_cursors (name, last_rowid, updated_at) "
                                "VALUES (?1, ?2, ?3) ON CONFLICT(name) DO UPDATE SET "
                                "last_rowid = ?2, updated_at = ?3"));
  s.BindAll(name, rowid, store::ToUnixMillis(clock_.Now()));
  return s.Run();
}

Status RollupUpdater::Reset() {
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(out_));
  for (const char* table : {"rollup_cursors", "rollup_hours", "rollup_attackers", "rollup_hosts",
                            "rollup_sample_hours", "rollup_samples", "rollup_verdicts"}) {
    RETURN_IF_ERROR(out_.Exec(std::string("DELETE FROM ") + table));
  }
  return tx.Commit();
}

Result<int> RollupUpdater::Connections(std::int64_t& cursor) {
  struct HourKey {
    std::int64_t hour;
    std::string protocol;
    std::int64_t port;
    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>.
    auto operator<=>(const HourKey&) const = default;
  };
  std::map<HourKey, std::pair<std::int64_t, std::int64_t>> hours;  // connections, roots
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> hosts;
  std::map<std::string, std::int64_t> host_totals;
  std::int64_t last = cursor;
  double newest = 0;
  int n = 0;
  {
    ASSIGN_OR_RETURN(Pool::Lease lease, logsql_.Acquire());
    ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), metrics_.reads));
    ASSIGN_OR_RETURN(
        store::Statement s,
        lease.db().Prepare("SELECT connection, connection_protocol, local_port, "
                           "connection_timestamp, remote_host, connection_root "
                           "FROM connections WHERE connection > ? ORDER BY connection LIMIT ?"));
    s.BindAll(cursor, kBatch);
    while (true) {
      auto row = s.Step();
      if (!row) return scope.Note(std::move(row).error());
      if (!*row) break;
      ++n;
      last = s.Int64(0);
      if (!IsTime(s, 3)) continue;
      const double ts = s.Double(3);
      newest = std::max(newest, ts);
      const std::int64_t hour = HourOf(ts);
      const bool root = s.IsNull(5) || s.Int64(5) == last;
      auto& h = hours[{hour, s.Text(1), s.Int64(2)}];
      ++h.first;
      if (root) ++h.second;
      if (!s.IsNull(4) && !s.TextView(4).empty()) {
        ++hosts[{hour, s.Text(4)}];
        ++host_totals[s.Text(4)];
      }
    }
  }
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(out_));
  ASSIGN_OR_RETURN(store::Statement up,
                   out_.Prepare("INSERT INTO rollup_hours (hour, protocol, port, connections, "
                                "roots) VALUES (?1,?2,?3,?4,?5) ON CONFLICT DO UPDATE SET "
                                "connections = connections + ?4, roots = roots + ?5"));
  for (const auto& [k, v] : hours) {
    up.Reset();
    up.BindAll(k.hour, k.protocol, k.port, v.first, v.second);
    RETURN_IF_ERROR(up.Run());
  }
  ASSIGN_OR_RETURN(store::Statement att,
                   out_.Prepare("INSERT INTO rollup_attackers (hour, host, connections) "
                                "VALUES (?1,?2,?3) ON CONFLICT DO UPDATE SET "
                                "connections = connections + ?3"));
  for (const auto& [k, v] : hosts) {
    att.Reset();
    att.BindAll(k.first, k.second, v);
    RETURN_IF_ERROR(att.Run());
  }
  ASSIGN_OR_RETURN(store::Statement total,
                   out_.Prepare("INSERT INTO rollup_hosts (host, connections) VALUES (?1,?2) "
                                "ON CONFLICT DO UPDATE SET connections = connections + ?2"));
  for (const auto& [h, v] : host_totals) {
    total.Reset();
    total.BindAll(h, v);
    RETURN_IF_ERROR(total.Run());
  }
  RETURN_IF_ERROR(SaveCursor("connections", last));
  RETURN_IF_ERROR(tx.Commit());
  cursor = last;
  if (metrics_.rows != nullptr) metrics_.rows->With({"connections"}).Inc(n);
  if (metrics_.last_event != nullptr && newest > 0) {
    Gauge& g = metrics_.last_event->With({"logsql"});
    g.Set(std::max(g.Value(), newest));
  }
  return n;
}

Result<int> RollupUpdater::Downloads(std::int64_t& cursor) {
  struct Row {
    std::string md5;
    double ts;
    std::string protocol, host;
    std::int64_t port;
  };
  std::vector<Row> rows;
  std::int64_t last = cursor;
  {
    ASSIGN_OR_RETURN(Pool::Lease lease, logsql_.Acquire());
    ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), metrics_.reads));
    ASSIGN_OR_RETURN(
        store::Statement s,
        lease.db().Prepare("SELECT d.download, d.download_md5_hash, c.connection_timestamp, "
                           "c.connection_protocol, c.local_port, c.remote_host FROM downloads d "
                           "LEFT JOIN connections c ON c.connection = d.connection "
                           "WHERE d.download > ? ORDER BY d.download LIMIT ?"));
    s.BindAll(cursor, kBatch);
    while (true) {
      auto row = s.Step();
      if (!row) return scope.Note(std::move(row).error());
      if (!*row) break;
      last = s.Int64(0);
      Row r{ToLower(s.TextView(1)), IsTime(s, 2) ? s.Double(2) : -1, s.Text(3), s.Text(5),
            s.Int64(4)};
      rows.push_back(std::move(r));
    }
  }
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(out_));
  ASSIGN_OR_RETURN(store::Statement hour,
                   out_.Prepare("INSERT INTO rollup_hours (hour, protocol, port, downloads) "
                                "VALUES (?1,?2,?3,1) ON CONFLICT DO UPDATE SET "
                                "downloads = downloads + 1"));
  ASSIGN_OR_RETURN(store::Statement host,
                   out_.Prepare("INSERT INTO rollup_attackers (hour, host, downloads) "
                                "VALUES (?1,?2,1) ON CONFLICT DO UPDATE SET "
                                "downloads = downloads + 1"));
  ASSIGN_OR_RETURN(store::Statement host_total,
                   out_.Prepare("INSERT INTO rollup_hosts (host, downloads) VALUES (?1,1) "
                                "ON CONFLICT DO UPDATE SET downloads = downloads + 1"));
  ASSIGN_OR_RETURN(store::Statement sample_hour,
                   out_.Prepare("INSERT INTO rollup_sample_hours (hour, md5, downloads) "
                                "VALUES (?1,?2,1) ON CONFLICT DO UPDATE SET "
                                "downloads = downloads + 1"));
  ASSIGN_OR_RETURN(
      store::Statement sample,
      out_.Prepare("INSERT INTO rollup_samples (md5, first_seen, last_seen, downloads) "
                   "VALUES (?1,?2,?2,1) ON CONFLICT DO UPDATE SET "
                   "first_seen = min(first_seen, ?2), last_seen = max(last_seen, ?2), "
                   "downloads = downloads + 1"));
  for (const Row& r : rows) {
    if (r.ts < 0 || !IsHex(r.md5, 32)) continue;  // no connection row, or not an md5
    const std::int64_t h = HourOf(r.ts);
    hour.Reset();
    hour.BindAll(h, r.protocol, r.port);
    RETURN_IF_ERROR(hour.Run());
    if (!r.host.empty()) {
      host.Reset();
      host.BindAll(h, r.host);
      RETURN_IF_ERROR(host.Run());
      host_total.Reset();
      host_total.Bind(1, r.host);
      RETURN_IF_ERROR(host_total.Run());
    }
    sample_hour.Reset();
    sample_hour.BindAll(h, r.md5);
    RETURN_IF_ERROR(sample_hour.Run());
    sample.Reset();
    sample.BindAll(r.md5, r.ts);
    RETURN_IF_ERROR(sample.Run());
  }
  RETURN_IF_ERROR(SaveCursor("downloads", last));
  RETURN_IF_ERROR(tx.Commit());
  cursor = last;
  if (metrics_.rows != nullptr)
    metrics_.rows->With({"downloads"}).Inc(static_cast<double>(rows.size()));
  return static_cast<int>(rows.size());
}

Result<int> RollupUpdater::Verdicts(std::int64_t& cursor) {
  struct Row {
    std::int64_t id;
    std::string md5;
    std::int64_t scan_date;
    double stored_at;
    int positives = 0, total = 0;
    std::vector<std::string> names;
  };
  std::vector<Row> rows;
  std::int64_t last = cursor;
  {
    ASSIGN_OR_RETURN(Pool::Lease lease, logsql_.Acquire());
    ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), metrics_.reads));
    const bool has_history = lease.db().TableExists("honeyvt_reports");
    ASSIGN_OR_RETURN(store::Statement s,
                     lease.db().Prepare(
                         has_history ? "SELECT v.virustotal, v.virustotal_md5_hash, "
                                       "v.virustotal_timestamp, coalesce((SELECT max(r.fetched_at) "
                                       "FROM honeyvt_reports r WHERE r.virustotal = v.virustotal), "
                                       "v.virustotal_timestamp) FROM virustotals v "
                                       "WHERE v.virustotal > ? ORDER BY v.virustotal LIMIT ?"
                                     : "SELECT v.virustotal, v.virustotal_md5_hash, "
                                       "v.virustotal_timestamp, v.virustotal_timestamp FROM "
                                       "virustotals v WHERE v.virustotal > ? ORDER BY v.virustotal "
                                       "LIMIT ?"));
    s.BindAll(cursor, kVerdictBatch);
    ASSIGN_OR_RETURN(store::Statement scans,
                     lease.db().Prepare("SELECT virustotalscan_result FROM virustotalscans "
                                        "WHERE virustotal = ?"));
    while (true) {
      auto row = s.Step();
      if (!row) return scope.Note(std::move(row).error());
      if (!*row) break;
      last = s.Int64(0);
      Row r{last, ToLower(s.TextView(1)), s.Int64(2), s.Double(3), 0, 0, {}};
      scans.Reset();
      scans.Bind(1, r.id);
      while (true) {
        ASSIGN_OR_RETURN(bool scan, scans.Step());
        if (!scan) break;
        ++r.total;
        if (!scans.IsNull(0) && !scans.TextView(0).empty()) {
          ++r.positives;
          r.names.push_back(scans.Text(0));
        }
      }
      rows.push_back(std::move(r));
    }
  }
  report::FamilyLabeler labeler;
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(out_));
  ASSIGN_OR_RETURN(
      store::Statement up,
      out_.Prepare("INSERT INTO rollup_verdicts (md5, virustotal, scan_date, positives, total, "
                   "family, stored_at) VALUES (?1,?2,?3,?4,?5,?6,?7) ON CONFLICT DO UPDATE SET "
                   "virustotal = ?2, scan_date = ?3, positives = ?4, total = ?5, family = ?6, "
                   "stored_at = ?7 WHERE ?3 >= scan_date"));
  for (const Row& r : rows) {
    if (!IsHex(r.md5, 32)) continue;
    up.Reset();
    up.BindAll(r.md5, r.id, r.scan_date, r.positives, r.total, labeler.Label(r.names).family,
               r.stored_at);
    RETURN_IF_ERROR(up.Run());
    if (metrics_.detection_ratio != nullptr && r.total > 0) {
      metrics_.detection_ratio->With({}).Observe(static_cast<double>(r.positives) / r.total);
    }
  }
  RETURN_IF_ERROR(SaveCursor("virustotals", last));
  RETURN_IF_ERROR(tx.Commit());
  cursor = last;
  if (metrics_.rows != nullptr)
    metrics_.rows->With({"virustotals"}).Inc(static_cast<double>(rows.size()));
  return static_cast<int>(rows.size());
}

Result<std::int64_t> RollupUpdater::Pass() {
  // A new database in the same place: its rows end below our cursor.
  {
    ASSIGN_OR_RETURN(std::int64_t conn_cursor, Cursor("connections"));
    ASSIGN_OR_RETURN(Pool::Lease lease, logsql_.Acquire());
    std::int64_t max_conn = 0;
    {
      ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), metrics_.reads));
      auto top = lease.db().Prepare("SELECT coalesce(max(connection), 0) FROM connections");
      if (!top) return scope.Note(std::move(top).error());
      auto row = top->Step();
      if (!row) return scope.Note(std::move(row).error());
      max_conn = *row ? top->Int64(0) : 0;
    }
    if (max_conn < conn_cursor) RETURN_IF_ERROR(Reset());
  }
  std::int64_t total = 0;
  // Connections first, so downloads find their connection's rollup row's hour.
  for (auto [name, step] : {std::pair{"connections", &RollupUpdater::Connections},
                            std::pair{"downloads", &RollupUpdater::Downloads},
                            std::pair{"virustotals", &RollupUpdater::Verdicts}}) {
    ASSIGN_OR_RETURN(std::int64_t cursor, Cursor(name));
    while (true) {
      ASSIGN_OR_RETURN(int n, (this->*step)(cursor));
      total += n;
      if (n == 0 || (step != &RollupUpdater::Verdicts && n < kBatch) ||
          (step == &RollupUpdater::Verdicts && n < kVerdictBatch)) {
        break;
      }
    }
  }
  return total;
}

}  // namespace honeyvt::web
