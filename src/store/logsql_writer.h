#pragma once
// Writes VirusTotal reports into dionaea's logsql database exactly as dionaea did
// (DIONAEA-FACTS §5), plus honeyvt's history tables:
//   * one `virustotals` row: md5, VT's analysis time as INTEGER Unix seconds, permalink;
//   * one `virustotalscans` row per engine that judged the file, in report order, result
//     NULL when undetected (engines of category type-unsupported, timeout,
//     confirmed-timeout or failure get no row);
//   * one `honeyvt_reports` row (hashes, size, type, positives/total, label, raw JSON as a
//     zlib stream) and one `honeyvt_engine_results` row per engine (all categories).
// All in one short BEGIN IMMEDIATE transaction. A newer report of an md5 REPLACES its
// previous virustotals/virustotalscans rows (readers sum every report of an md5); the
// history stays in honeyvt_reports. Writing the same analysis (md5 + analysis date) twice
// is a no-op, which makes re-running a store step after a crash safe.
//
// dionaea may hold the database lock at any time: a busy database is retried with the
// injected clock (short waits, growing) until `max_wait` has passed, then kBusy.
// Thread safety: one writer per thread.

#include <chrono>
#include <filesystem>
#include <stop_token>

#include "core/clock.h"
#include "domain/report.h"
#include "store/logsql.h"

namespace honeyvt::store {

struct LogsqlWriterOptions {
  // Per-statement SQLite busy timeout.
  std::chrono::milliseconds busy_timeout{2000};
  // Total time one Write keeps retrying a busy database before giving up with kBusy.
  std::chrono::seconds max_wait{120};
};

enum class WriteOutcome {
  kWritten,        // new virustotals row (any previous one of the md5 replaced)
  kAlreadyStored,  // this analysis was stored before; nothing written
  kHistoryOnly,    // an older analysis than the one shown: kept in honeyvt_reports only
};

class LogsqlWriter {
 public:
  // Opens an existing logsql database for writing and creates honeyvt's tables if needed.
  static Result<LogsqlWriter> Open(const std::filesystem::path& path, Clock& clock,
                                   LogsqlWriterOptions options = {});

  // Validates and stores `report` (kCorrupt for a report without a valid md5 or analysis
  // date). `api_version` and `fetched_at` go to honeyvt_reports.
  Result<WriteOutcome> Write(const domain::FileReport& report, int api_version,
                             TimePoint fetched_at, std::stop_token stop = {});

  Logsql& logsql() { return logsql_; }

 private:
  LogsqlWriter(Logsql logsql, Clock& clock, LogsqlWriterOptions options)
      : logsql_(std::move(logsql)), clock_(&clock), options_(options) {}
  Result<WriteOutcome> WriteOnce(const domain::FileReport& report, int api_version,
                                 TimePoint fetched_at);
  Logsql logsql_;
  Clock* clock_;
  LogsqlWriterOptions options_;
};

// zlib (RFC 1950) compression of the raw report JSON, and its inverse (kCorrupt on bad
// input), for honeyvt_reports.raw_json.
std::string CompressJson(std::string_view json);
Result<std::string> DecompressJson(std::string_view blob);

}  // namespace honeyvt::store
