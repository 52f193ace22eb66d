#pragma once
// honeyvt's observability records in the state database (docs/state-db.md, docs/web.md):
// one row per pipeline step of a job (`job_events`: the sample's timeline on the
// dashboard, the queue counters of /metrics) and one per VirusTotal request
// (`vt_requests`: requests by endpoint and status, latency). Written next to the pipeline
// (never on its critical path's transactions); a crash may lose the last row, never
// anything of the queue itself.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "store/sqlite.h"

namespace honeyvt::store {

struct JobEventRow {
  std::int64_t job = 0;
  TimePoint at{};
  std::string step;           // lookup, upload, comment, poll, relookup, refresh, retry, skip
  std::string outcome;        // bounded: report, not_found, uploaded, pending, ... (docs/web.md)
  std::string state;          // the job's state after the step
  std::int64_t requests = 0;  // API requests the step spent
  int polls = 0;              // polls since the upload, after the step
  std::optional<std::int64_t> age_ms;  // enqueue -> this event (set when a verdict is stored)
  std::string detail;                  // the reason of an error or failure
};
Status RecordJobEvent(Database& db, const JobEventRow& row);

struct VtRequestRow {
  TimePoint at{};
  int api = 3;
  std::string endpoint;  // file_report, batch_report, upload, upload_url, analysis, comment, rescan
  std::string code;      // HTTP status ("200", "429"), or "network"
  std::int64_t ms = 0;   // duration
  std::int64_t bytes = 0;  // upload body bytes
};
// Appends the request; once a day also deletes rows older than `keep` days.
Status RecordVtRequest(Database& db, const VtRequestRow& row, int keep_days = 35);

}  // namespace honeyvt::store
