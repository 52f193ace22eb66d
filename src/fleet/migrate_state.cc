#include "fleet/migrate_state.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "core/digest.h"
#include "core/strings.h"
#include "fleet/key_settings.h"
#include "fleet/service.h"
#include "pipeline/process.h"
#include "pipeline/quota.h"
#include "store/logsql_writer.h"
#include "store/pg/dsn.h"
#include "store/pg/fleet_db.h"
#include "store/sqlite.h"
#include "store/state_db.h"

namespace honeyvt::fleet {
namespace {

using domain::FileReport;
using store::Database;
using store::Statement;

Status MoveJobs(store::StateDb& state, pg::FleetDb& fleet, MigrationCounts& out) {
  for (int s = 0; s < domain::kJobStateCount; ++s) {
    ASSIGN_OR_RETURN(std::vector<domain::Job> jobs,
                     state.List(static_cast<domain::JobState>(s), std::numeric_limits<int>::max()));
    for (const domain::Job& job : jobs) {
      std::error_code ec;
      const bool has_file = !job.path.empty() && std::filesystem::is_regular_file(job.path, ec);
      ASSIGN_OR_RETURN(std::string what, fleet.ImportJob(job, has_file));
      if (what == "added") {
        ++out.jobs_added;
      } else if (what == "merged") {
        ++out.jobs_merged;
      } else {
        ++out.jobs_kept;
      }
    }
  }
  return OkStatus();
}

// honeyvt's history rows of the logsql file, with their engine results.
Status MoveHistory(Database& db, pg::FleetDb& fleet, MigrationCounts& out) {
  if (!db.TableExists("honeyvt_reports")) return OkStatus();
  ASSIGN_OR_RETURN(Statement reports,
                   db.Prepare("SELECT report, md5, sha1, sha256, size, type_description, "
                              "suggested_label, analysis_date, fetched_at, permalink, "
                              "api_version, raw_json FROM honeyvt_reports ORDER BY report"));
  ASSIGN_OR_RETURN(Statement engines,
                   db.Prepare("SELECT engine, engine_name, engine_version, engine_update, "
                              "category, result FROM honeyvt_engine_results WHERE report = ?"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, reports.Step());
    if (!row) break;
    FileReport r;
    r.md5 = reports.Text(1);
    r.sha1 = reports.Text(2);
    r.sha256 = reports.Text(3);
    r.size = reports.IsNull(4) ? -1 : reports.Int64(4);
    r.type_description = reports.Text(5);
    r.suggested_threat_label = reports.Text(6);
    r.last_analysis_date = reports.Int64(7);
    const TimePoint fetched = FromUnixSeconds(reports.Int64(8));
    r.permalink = reports.Text(9);
    const int api = static_cast<int>(reports.Int64(10));
    if (!reports.IsNull(11)) {
      auto json = store::DecompressJson(reports.Blob(11));
      if (json) r.raw_json = std::move(*json);
    }
    engines.Reset();
    engines.Bind(1, reports.Int64(0));
    while (true) {
      ASSIGN_OR_RETURN(bool e, engines.Step());
      if (!e) break;
      domain::EngineResult er;
      er.engine = engines.Text(0);
      er.engine_name = engines.Text(1);
      er.version = engines.Text(2);
      er.update = engines.Text(3);
      er.category = engines.Text(4);
      er.result = engines.OptText(5);
      r.engines.push_back(std::move(er));
    }
    ASSIGN_OR_RETURN(pg::ReportWrite w, fleet.ImportReport(r, api, fetched));
    if (w == pg::ReportWrite::kStored) {
      ++out.reports_known;
    } else {
      ++out.reports_added;
    }
  }
  return OkStatus();
}

// virustotals rows without a history row (written by dionaea itself): their scans are
// the engine results (a result means detected).
Status MoveDionaeaReports(Database& db, pg::FleetDb& fleet, MigrationCounts& out) {
  const bool history = db.TableExists("honeyvt_reports");
  ASSIGN_OR_RETURN(
      Statement vts,
      db.Prepare(std::string("SELECT virustotal, virustotal_md5_hash, virustotal_timestamp, "
                             "virustotal_permalink FROM virustotals v") +
                 (history ? " WHERE NOT EXISTS (SELECT 1 FROM honeyvt_reports h WHERE "
                            "h.md5 = v.virustotal_md5_hash AND h.analysis_date = "
                            "v.virustotal_timestamp)"
                          : "") +
                 " ORDER BY virustotal"));
  ASSIGN_OR_RETURN(Statement scans, db.Prepare("SELECT virustotalscan_scanner, "
                                               "virustotalscan_result FROM virustotalscans "
                                               "WHERE virustotal = ? ORDER BY virustotalscan"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, vts.Step());
    if (!row) break;
    FileReport r;
    r.md5 = ToLower(Trim(vts.Text(1)));
    r.last_analysis_date = vts.Int64(2);
    r.permalink = vts.Text(3);
    scans.Reset();
    scans.Bind(1, vts.Int64(0));
    while (true) {
      ASSIGN_OR_RETURN(bool s, scans.Step());
      if (!s) break;
      domain::EngineResult e;
      e.engine = scans.Text(0);
      e.engine_name = e.engine;
      e.result = scans.OptText(1);
      if (e.result && e.result->empty()) e.result.reset();
      e.category = e.result ? "malicious" : "undetected";
      r.engines.push_back(std::move(e));
    }
    auto w = fleet.ImportReport(r, 2, FromUnixSeconds(r.last_analysis_date));
    if (!w && w.error().code == ErrorCode::kCorrupt) {
      spdlog::warn("fleet migrate-state: virustotals row {} skipped: {}", vts.Int64(0),
                   w.error().message);
      continue;
    }
    if (!w) return std::move(w).error();
    if (*w == pg::ReportWrite::kStored) {
      ++out.reports_known;
    } else {
      ++out.reports_added;
    }
  }
  return OkStatus();
}

// Requests of the windows still open, unless an earlier run moved them.
Status MoveRequests(store::StateDb& state, pg::FleetDb& fleet, const Options& options,
                    MigrationCounts& out) {
  Database& db = state.db();
  RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS honeyvt_fleet_migrations (at INTEGER NOT NULL, fleet TEXT "
      "NOT NULL)"));
  ASSIGN_OR_RETURN(Statement done, db.Prepare("SELECT count(*) FROM honeyvt_fleet_migrations"));
  ASSIGN_OR_RETURN(bool row, done.Step());
  if (row && done.Int64(0) > 0) {
    out.requests_skipped = true;
    return OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<pipeline::QuotaWindow> windows,
                   pipeline::ParseQuotaWindows(options.quota));
  ASSIGN_OR_RETURN(TimePoint now, fleet.DatabaseNow());
  TimePoint since = now;
  for (const auto& w : windows) {
    since = std::min(since, w.kind == pipeline::QuotaWindow::Kind::kSliding
                                ? now - w.length
                                : pipeline::PeriodStart(w, now));
  }
  ASSIGN_OR_RETURN(std::vector<TimePoint> times, state.RequestsSince(since));
  for (TimePoint t : times) {
    ASSIGN_OR_RETURN(std::int64_t id, fleet.RecordRequest(t, "imported"));
    (void)id;
    ++out.requests;
  }
  ASSIGN_OR_RETURN(std::vector<std::chrono::seconds> durations,
                   state.RecentAnalysisDurations(1000));
  for (auto it = durations.rbegin(); it != durations.rend(); ++it) {
    RETURN_IF_ERROR(fleet.RecordAnalysisDuration(now, *it));
    ++out.durations;
  }
  for (const char* key : {"poll_offset_1", "poll_offset_2", "poll_offset_3"}) {
    ASSIGN_OR_RETURN(std::optional<double> mine, state.LoadTuning(key));
    ASSIGN_OR_RETURN(std::optional<double> theirs, fleet.LoadTuning(key));
    if (mine && !theirs) {
      RETURN_IF_ERROR(fleet.SaveTuning(key, *mine));
      ++out.tuning;
    }
  }
  ASSIGN_OR_RETURN(Statement mark, db.Prepare("INSERT INTO honeyvt_fleet_migrations (at, fleet) "
                                              "VALUES (?, ?)"));
  mark.BindAll(ToUnixSecondsInt(now), pg::RedactDsn(options.FleetDsn()));
  return mark.Run();
}

}  // namespace

std::string MigrationCounts::Summary() const {
  std::string s = fmt::format(
      "moved into the fleet: {} job(s) ({} new, {} merged, {} kept as the fleet had them), "
      "{} report(s) ({} already there), ",
      jobs_added + jobs_merged + jobs_kept, jobs_added, jobs_merged, jobs_kept,
      reports_added + reports_known, reports_known);
  if (requests_skipped) {
    s += "the quota log was moved by an earlier run";
  } else {
    s += fmt::format(
        "{} request(s) of the open quota windows, {} analysis duration(s), "
        "{} learnt poll offset(s)",
        requests, durations, tuning);
  }
  return s + "; now set fleet_dsn in this sensor's configuration and start honeyvt run";
}

Result<MigrationCounts> MigrateState(const Options& options, const std::filesystem::path& path) {
  const std::string dsn = options.FleetDsn();
  if (dsn.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no fleet database to move into: set fleet_dsn (the configuration, "
                     "HONEYVT_FLEET_DSN or --set fleet_dsn=...)");
  }
  ASSIGN_OR_RETURN(pipeline::DaemonLock lock, pipeline::DaemonLock::Acquire(path));
  ASSIGN_OR_RETURN(store::StateDb state, store::StateDb::OpenExisting(path));
  ASSIGN_OR_RETURN(pg::FleetDb fleet, pg::FleetDb::Open(dsn, SensorName(options) + "/migrate"));
  RETURN_IF_ERROR(fleet.UseSensor(SensorName(options), options.upload));
  MigrationCounts out;
  RETURN_IF_ERROR(MoveJobs(state, fleet, out));
  if (std::error_code ec; std::filesystem::exists(options.logsql, ec)) {
    ASSIGN_OR_RETURN(Database logsql,
                     Database::Open(options.logsql, {.mode = store::OpenMode::kReadOnly}));
    RETURN_IF_ERROR(MoveHistory(logsql, fleet, out));
    RETURN_IF_ERROR(MoveDionaeaReports(logsql, fleet, out));
  } else {
    spdlog::warn("fleet migrate-state: no logsql at {}; no reports moved", options.logsql.string());
  }
  if (options.api_key.empty()) {
    spdlog::warn(
        "fleet migrate-state: no API key configured, so the quota log cannot be "
        "matched to the fleet's key and is not moved");
    out.requests_skipped = true;
  } else {
    ASSIGN_OR_RETURN(pg::KeySettings key, KeySettingsFrom(options));
    RETURN_IF_ERROR(fleet.UseKey(DigestBytes(options.api_key.Reveal()).sha256, key));
    RETURN_IF_ERROR(MoveRequests(state, fleet, options, out));
  }
  return out;
}

}  // namespace honeyvt::fleet
