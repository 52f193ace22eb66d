#pragma once
// What `honeyvt status` shows: jobs per state, quota used per window, the next action,
// an ETA for the backlog at the configured quota, and terminal failures.

#include <optional>
#include <vector>

#include "core/clock.h"
#include "domain/job_store.h"
#include "pipeline/config.h"
#include "pipeline/quota.h"

namespace honeyvt::pipeline {

struct PipelineStatus {
  std::vector<domain::StateCount> counts;  // every state, in JobState order
  std::vector<WindowUsage> quota;
  std::optional<TimePoint> next_action;  // earliest due active job
  TimePoint paused_until{};
  std::int64_t backlog_requests = 0;  // estimated requests to finish active jobs
  TimePoint eta{};                    // when they will have been sent
  std::vector<domain::Job> failures;  // newest first, at most `max_failures`
};

// Requests still needed for the active jobs: an upload and a comment (when enabled) per
// sample still to upload, about two polls per sample uploaded or still to upload, a
// comment per sample in `poll` or `comment`; lookups and polls batched by `batch` (v2
// asks them together in one file/report request).
std::int64_t EstimateRequests(const std::vector<domain::StateCount>& counts,
                              const PipelineConfig& config, int batch);

Result<PipelineStatus> ReadStatus(domain::JobStore& jobs, domain::UsageStore& usage,
                                  const std::vector<QuotaWindow>& windows,
                                  const PipelineConfig& config, int batch, TimePoint now,
                                  int max_failures);

}  // namespace honeyvt::pipeline
