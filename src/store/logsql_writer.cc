#include "store/logsql_writer.h"

#include <zlib.h>

#include <algorithm>

#include "core/strings.h"

namespace honeyvt::store {
namespace {

using domain::FileReport;

Status Validate(const FileReport& r) {
  if (!IsHex(r.md5, 32) || ToLower(r.md5) != r.md5) {
    return MakeError(ErrorCode::kCorrupt, "report without a valid lowercase md5");
  }
  if (r.last_analysis_date <= 0) {
    return MakeError(ErrorCode::kCorrupt, "report of " + r.md5 + " has no analysis date");
  }
  if (r.permalink.empty()) {
    return MakeError(ErrorCode::kCorrupt, "report of " + r.md5 + " has no permalink");
  }
  return OkStatus();
}

// Deletes every virustotals row of `md5` and their scans; unlinks honeyvt_reports.
Status RemoveShownReports(Database& db, const std::string& md5) {
  ASSIGN_OR_RETURN(Statement scans,
                   db.Prepare("DELETE FROM virustotalscans WHERE virustotal IN "
                              "(SELECT virustotal FROM virustotals WHERE virustotal_md5_hash = ?)"));
  scans.Bind(1, md5);
  RETURN_IF_ERROR(scans.Run());
  ASSIGN_OR_RETURN(Statement unlink,
                   db.Prepare("UPDATE honeyvt_reports SET virustotal = NULL WHERE md5 = ?"));
  unlink.Bind(1, md5);
  RETURN_IF_ERROR(unlink.Run());
  ASSIGN_OR_RETURN(Statement vts, db.Prepare("DELETE FROM virustotals WHERE virustotal_md5_hash = ?"));
  vts.Bind(1, md5);
  return vts.Run();
}

Result<std::int64_t> InsertShownReport(Database& db, const FileReport& r) {
  ASSIGN_OR_RETURN(Statement vt, db.Prepare("INSERT INTO virustotals (virustotal_md5_hash, "
                                            "virustotal_timestamp, virustotal_permalink) "
                                            "VALUES (?, ?, ?)"));
  vt.BindAll(r.md5, r.last_analysis_date, r.permalink);
  RETURN_IF_ERROR(vt.Run());
  const std::int64_t id = db.LastInsertRowid();
  ASSIGN_OR_RETURN(Statement scan,
                   db.Prepare("INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, "
                              "virustotalscan_result) VALUES (?, ?, ?)"));
  for (const auto& e : r.engines) {
    if (!e.Judged()) continue;
    scan.Reset();
    std::optional<std::string> result;
    if (e.Detected() && e.result && !e.result->empty()) result = e.result;
    scan.BindAll(id, e.engine, result);
    RETURN_IF_ERROR(scan.Run());
  }
  return id;
}

Status InsertHistory(Database& db, const FileReport& r, int api_version, TimePoint fetched_at,
                     std::optional<std::int64_t> virustotal) {
  ASSIGN_OR_RETURN(
      Statement rep,
      db.Prepare("INSERT INTO honeyvt_reports (md5, sha1, sha256, size, type_description, "
                 "positives, total, suggested_label, analysis_date, fetched_at, permalink, "
                 "api_version, virustotal, raw_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  auto opt = [](const std::string& s) -> std::optional<std::string> {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  std::optional<std::int64_t> size;
  if (r.size >= 0) size = r.size;
  rep.BindAll(r.md5, opt(r.sha1), opt(r.sha256), size, opt(r.type_description), r.Positives(),
              r.Total(), opt(r.suggested_threat_label), r.last_analysis_date,
              ToUnixSecondsInt(fetched_at), r.permalink, api_version, virustotal);
  if (r.raw_json.empty()) {
    rep.BindNull(14);
  } else {
    rep.BindBlob(14, CompressJson(r.raw_json));
  }
  RETURN_IF_ERROR(rep.Run());
  const std::int64_t report_id = db.LastInsertRowid();
  // A hostile body could repeat an engine key; the first one wins, as in virustotalscans.
  ASSIGN_OR_RETURN(Statement eng,
                   db.Prepare("INSERT OR IGNORE INTO honeyvt_engine_results (report, engine, "
                              "engine_name, engine_version, engine_update, category, result) "
                              "VALUES (?,?,?,?,?,?,?)"));
  for (const auto& e : r.engines) {
    eng.Reset();
    eng.BindAll(report_id, e.engine, opt(e.engine_name), opt(e.version), opt(e.update),
                e.category, e.result);
    RETURN_IF_ERROR(eng.Run());
  }
  return OkStatus();
}

}  // namespace

Result<LogsqlWriter> LogsqlWriter::Open(const std::filesystem::path& path, Clock& clock,
                                        LogsqlWriterOptions options) {
  ASSIGN_OR_RETURN(Logsql logsql, Logsql::Open(path, OpenMode::kReadWrite));
  logsql.db().SetBusyTimeout(options.busy_timeout);
  RETURN_IF_ERROR(logsql.EnsureHoneyvtTables());
  return LogsqlWriter(std::move(logsql), clock, options);
}

Result<WriteOutcome> LogsqlWriter::WriteOnce(const FileReport& r, int api_version,
                                             TimePoint fetched_at) {
  Database& db = logsql_.db();
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  ASSIGN_OR_RETURN(Statement seen, db.Prepare("SELECT 1 FROM honeyvt_reports "
                                              "WHERE md5 = ? AND analysis_date = ?"));
  seen.BindAll(r.md5, r.last_analysis_date);
  ASSIGN_OR_RETURN(bool already, seen.Step());
  if (already) return WriteOutcome::kAlreadyStored;  // rolls back the empty transaction
  ASSIGN_OR_RETURN(Statement newest,
                   db.Prepare("SELECT max(analysis_date) FROM honeyvt_reports WHERE md5 = ? "
                              "AND virustotal IS NOT NULL"));
  newest.Bind(1, r.md5);
  ASSIGN_OR_RETURN(bool row, newest.Step());
  const bool older = row && !newest.IsNull(0) && newest.Int64(0) > r.last_analysis_date;
  std::optional<std::int64_t> shown;
  if (!older) {
    RETURN_IF_ERROR(RemoveShownReports(db, r.md5));
    ASSIGN_OR_RETURN(shown, InsertShownReport(db, r));
  }
  RETURN_IF_ERROR(InsertHistory(db, r, api_version, fetched_at, shown));
  RETURN_IF_ERROR(tx.Commit());
  return older ? WriteOutcome::kHistoryOnly : WriteOutcome::kWritten;
}

Result<WriteOutcome> LogsqlWriter::Write(const FileReport& report, int api_version,
                                         TimePoint fetched_at, std::stop_token stop) {
  RETURN_IF_ERROR(Validate(report));
  const TimePoint give_up = clock_->Now() + options_.max_wait;
  auto wait = std::chrono::milliseconds(50);
  while (true) {
    auto outcome = WriteOnce(report, api_version, fetched_at);
    if (outcome || outcome.error().code != ErrorCode::kBusy) return outcome;
    if (clock_->Now() + wait > give_up) {
      Error e = std::move(outcome).error();
      e.message += " (logsql database stayed locked for " +
                   std::to_string(options_.max_wait.count()) + " s)";
      return e;
    }
    if (!clock_->SleepFor(wait, stop)) {
      return MakeError(ErrorCode::kCancelled, "logsql write cancelled");
    }
    wait = std::min(wait * 2, std::chrono::milliseconds(2000));
  }
}

std::string CompressJson(std::string_view json) {
  uLongf size = compressBound(static_cast<uLong>(json.size()));
  std::string out(size, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(json.data()), static_cast<uLong>(json.size()),
                     Z_BEST_COMPRESSION);
  if (rc != Z_OK) return {};
  out.resize(size);
  return out;
}

Result<std::string> DecompressJson(std::string_view blob) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return MakeError(ErrorCode::kInternal, "inflateInit failed");
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(blob.data()));
  zs.avail_in = static_cast<uInt>(blob.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > (256u << 20)) rc = Z_MEM_ERROR;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return MakeError(ErrorCode::kCorrupt, "raw_json is not a zlib stream");
  return out;
}

}  // namespace honeyvt::store
