#include "fleet/export.h"

#include <cstdlib>
#include <string>

#include "fleet/service.h"

#include "store/logsql.h"
#include "store/logsql_writer.h"
#include "store/sqlite.h"

namespace honeyvt::fleet {

Result<ExportCounts> ExportLogsql(pg::FleetDb& db, const std::filesystem::path& out, Clock& clock) {
  ExportCounts counts;
  {
    ASSIGN_OR_RETURN(store::Logsql created, store::Logsql::Create(out));
    store::Database& sql = created.db();
    ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(sql));
    ASSIGN_OR_RETURN(store::Statement conn,
                     sql.Prepare("INSERT INTO connections (connection_type, connection_transport, "
                                 "connection_protocol, connection_timestamp, local_host, "
                                 "local_port, remote_host, remote_hostname, remote_port) VALUES "
                                 "('accept', 'tcp', 'honeyvt-fleet', ?, ?, 0, '', '', 0)"));
    ASSIGN_OR_RETURN(store::Statement dl,
                     sql.Prepare("INSERT INTO downloads (connection, download_url, "
                                 "download_md5_hash) VALUES (?, ?, ?)"));
    constexpr int kPage = 5000;
    std::int64_t after = 0;
    while (true) {
      ASSIGN_OR_RETURN(std::vector<pg::FleetDb::SightingRow> rows, db.ReadSightings(after, kPage));
      if (rows.empty()) break;
      // A full page may end inside a job's sightings: that job is read again, whole, with
      // the next page (unless the page holds nothing else).
      std::size_t take = rows.size();
      const bool full = rows.size() == static_cast<std::size_t>(kPage);
      if (full && rows.front().job_id != rows.back().job_id) {
        while (take > 0 && rows[take - 1].job_id == rows.back().job_id) --take;
      }
      for (std::size_t i = 0; i < take; ++i) {
        const auto& s = rows[i];
        conn.Reset();
        conn.BindAll(ToUnixSeconds(s.first_seen), s.sensor);
        RETURN_IF_ERROR(conn.Run());
        dl.Reset();
        dl.BindAll(sql.LastInsertRowid(), "fleet://" + s.sensor + "/" + s.path, s.md5);
        RETURN_IF_ERROR(dl.Run());
        ++counts.sightings;
      }
      if (!full) break;
      after = rows[take - 1].job_id;
    }
    RETURN_IF_ERROR(tx.Commit());
  }
  ASSIGN_OR_RETURN(store::LogsqlWriter writer, store::LogsqlWriter::Open(out, clock));
  std::int64_t seq = 0;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<pg::FleetDb::MirrorItem> items, db.ReadReports(seq, 500));
    if (items.empty()) break;
    for (const auto& item : items) {
      auto w = writer.Write(item.report, item.api_version, item.fetched_at);
      if (!w && w.error().code != ErrorCode::kCorrupt) return std::move(w).error();
      ++counts.reports;
      seq = item.seq;
    }
  }
  return counts;
}

Result<FleetSnapshot> FleetSnapshot::Take(const Options& options) {
  const std::string dsn = options.FleetDsn();
  if (dsn.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--fleet: no fleet database configured (fleet_dsn, or state = "
                     "\"postgresql://...\")");
  }
  ASSIGN_OR_RETURN(pg::FleetDb db, pg::FleetDb::Open(dsn, SensorName(options) + "/report"));
  std::string pattern = (std::filesystem::temp_directory_path() / "honeyvt-fleet-report.XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return MakeError(ErrorCode::kIo, "cannot create a temporary folder for the fleet's data");
  }
  FleetSnapshot snap{std::filesystem::path(pattern)};
  SystemClock clock;
  ASSIGN_OR_RETURN(ExportCounts counts, ExportLogsql(db, snap.logsql(), clock));
  (void)counts;
  return snap;
}

FleetSnapshot::~FleetSnapshot() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace honeyvt::fleet
