#pragma once
// Keeps a sensor's local logsql (dionaea's SQLite file) in step with the fleet: every
// report of a sample this sensor sighted is written there exactly as a single-host
// honeyvt writes it (store::LogsqlWriter: virustotals / virustotalscans replaced per md5,
// honeyvt_reports history), so `honeyvt tree`, readlogsqltree, `honeyvt report` and
// DionaeaFR keep working on each sensor. It follows the report sequence (the sensor's
// cursor in honeyvt.mirror_cursor) and backfills samples sighted after their report was
// written. At least once and idempotent: a report written twice is a no-op.
//
// Not thread-safe: the session thread runs it.

#include <filesystem>
#include <optional>

#include "core/clock.h"
#include "store/logsql_writer.h"
#include "store/pg/fleet_db.h"

namespace honeyvt::fleet {

class Mirror {
 public:
  // `logsql`: the sensor's dionaea database (must exist); opened on first use, so a
  // sensor whose logsql is missing still works the queue (the mirror retries).
  Mirror(pg::FleetDb& db, std::filesystem::path logsql, Clock& clock)
      : db_(&db), logsql_(std::move(logsql)), clock_(&clock) {}

  // Applies what is pending, in batches, until nothing is left or an error occurs.
  // Returns the number of reports written.
  Result<int> Sync(std::stop_token stop);

 private:
  pg::FleetDb* db_;
  std::filesystem::path logsql_;
  Clock* clock_;
  std::optional<store::LogsqlWriter> writer_;
};

}  // namespace honeyvt::fleet
