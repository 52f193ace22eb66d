#pragma once
// `honeyvt fleet migrate-state`: moves a single-host installation into a fleet without
// losing a job or a report.
//  * every job of the state database (any state; leases dropped), with this sensor's
//    sighting (its path; has_file if the file is still there). A sample the fleet knows
//    already keeps the fleet's progress, unless only the local job has a verdict;
//  * every report of the sensor's logsql: honeyvt_reports with their engines, and
//    virustotals rows dionaea (or an old honeyvt) wrote without a history row (their
//    virustotalscans become the engines). One current report per md5 centrally;
//  * the requests of the quota windows still open (so the fleet does not spend them
//    again) and the learnt analysis durations and poll offsets;
// and records the move in the state database, so a second run adds no request twice
// (jobs and reports are merged by hash anyway). Refused while `honeyvt run` holds the
// state database. The state file itself is not changed otherwise.

#include <filesystem>
#include <string>

#include "core/options.h"
#include "core/result.h"

namespace honeyvt::fleet {

struct MigrationCounts {
  std::int64_t jobs_added = 0, jobs_merged = 0, jobs_kept = 0;
  std::int64_t reports_added = 0, reports_known = 0;
  std::int64_t requests = 0, durations = 0, tuning = 0;
  bool requests_skipped = false;  // moved by an earlier run
  std::string Summary() const;
};

Result<MigrationCounts> MigrateState(const Options& options, const std::filesystem::path& state);

}  // namespace honeyvt::fleet
