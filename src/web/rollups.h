#pragma once
// The dashboard's aggregates of dionaea's logsql, kept in honeyvt's state database (tables
// rollup_*, docs/state-db.md) and updated incrementally: each pass reads only the rows
// added since the last one (by rowid cursors, in batches of at most 1,000 rows or 100
// reports, each batch one short read transaction), so no page ever scans logsql:
//
//   rollup_hours        connections, roots and downloads per hour, protocol and port
//   rollup_attackers    connections and downloads per hour and remote host
//   rollup_hosts        connections and downloads per remote host, all time
//   rollup_sample_hours downloads per hour and md5
//   rollup_samples      per md5: first and last download, downloads
//   rollup_verdicts     per md5: the newest stored report (ratio, scan date, family)
//
// A logsql file whose rows end below a cursor (a new database in the same place) is
// aggregated again from the start. Not thread-safe: one updater thread per process.

#include <cstdint>
#include <filesystem>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "store/sqlite.h"
#include "web/db.h"

namespace honeyvt::web {

struct RollupMetrics {
  CounterFamily* rows = nullptr;      // honeyvt_ingest_rows_total{table}
  GaugeFamily* last_event = nullptr;  // honeyvt_ingest_last_event_timestamp_seconds
  HistogramFamily* detection_ratio = nullptr;
  ReadMetrics reads;
};

class RollupUpdater {
 public:
  // `logsql` opens read-only logsql connections; `rollups` is the writable database
  // holding the rollup tables (the state database, or a private copy).
  RollupUpdater(Pool& logsql, store::Database& rollups, Clock& clock, RollupMetrics metrics)
      : logsql_(logsql), out_(rollups), clock_(clock), metrics_(metrics) {}

  // Reads everything new; returns the number of logsql rows read.
  Result<std::int64_t> Pass();

 private:
  Result<std::int64_t> Cursor(const char* name);
  Status SaveCursor(const char* name, std::int64_t rowid);
  Status Reset();
  Result<int> Connections(std::int64_t& cursor);
  Result<int> Downloads(std::int64_t& cursor);
  Result<int> Verdicts(std::int64_t& cursor);

  Pool& logsql_;
  store::Database& out_;
  Clock& clock_;
  RollupMetrics metrics_;
};

// Hour bucket of a Unix time.
inline std::int64_t HourOf(double unix_seconds) {
  return static_cast<std::int64_t>(unix_seconds >= 0 ? unix_seconds / 3600 : -1) * 3600;
}

}  // namespace honeyvt::web
