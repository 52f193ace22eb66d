#include "pipeline/status.h"

#include <algorithm>

namespace honeyvt::pipeline {

using domain::JobState;

std::int64_t EstimateRequests(const std::vector<domain::StateCount>& counts,
                              const PipelineConfig& config, int batch) {
  auto count = [&](JobState s) { return counts[static_cast<std::size_t>(s)].count; };
  const std::int64_t comment = config.comment ? 1 : 0;
  const std::int64_t b = std::max(1, batch);
  // Unknown share of new lookups is not known in advance; count lookups only. Polls
  // (about two per upload) share batches with lookups when the client batches (v2).
  const std::int64_t reports =
      count(JobState::kLookup) + 2 * (count(JobState::kUpload) + count(JobState::kPoll));
  return (reports + b - 1) / b + count(JobState::kUpload) * (1 + comment) +
         count(JobState::kPoll) * comment + count(JobState::kComment);
}

Result<PipelineStatus> ReadStatus(domain::JobStore& jobs, domain::UsageStore& usage,
                                  const std::vector<QuotaWindow>& windows,
                                  const PipelineConfig& config, int batch, TimePoint now,
                                  int max_failures) {
  PipelineStatus s;
  ASSIGN_OR_RETURN(s.counts, jobs.Counts());
  QuotaGovernor quota(windows, &usage);
  RETURN_IF_ERROR(quota.Load(now));
  s.quota = quota.Usage(now);
  for (const auto& c : s.counts) {
    if (domain::IsTerminal(c.state) || !c.next_due) continue;
    s.next_action = s.next_action ? std::min(*s.next_action, *c.next_due) : *c.next_due;
  }
  s.backlog_requests = EstimateRequests(s.counts, config, batch);
  s.eta = quota.EstimateCompletion(now, s.backlog_requests);
  ASSIGN_OR_RETURN(s.failures, jobs.List(JobState::kFailed, max_failures));
  return s;
}

}  // namespace honeyvt::pipeline
