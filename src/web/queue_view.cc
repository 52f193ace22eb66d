#include "web/queue_view.h"

#include "domain/job.h"
#include "pipeline/config.h"
#include "pipeline/status.h"
#include "store/state_db.h"
#include "web/usage_reader.h"

namespace honeyvt::web {

Result<std::vector<StateRow>> ReadQueue(store::Database& state, TimePoint now) {
  std::vector<StateRow> rows;
  for (int i = 0; i < domain::kJobStateCount; ++i) {
    rows.push_back({std::string(domain::JobStateName(static_cast<domain::JobState>(i)))});
  }
  ASSIGN_OR_RETURN(store::Statement stmt,
                   state.Prepare("SELECT state, count(*), min(updated_at), min(created_at), "
                                 "sum(state NOT IN ('done','failed') AND next_action_at < ?1) "
                                 "FROM jobs GROUP BY state"));
  stmt.Bind(1, store::ToUnixMillis(now - std::chrono::hours(1)));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    auto parsed = domain::ParseJobState(stmt.TextView(0));
    if (!parsed) continue;
    StateRow& r = rows[static_cast<std::size_t>(*parsed)];
    r.count = stmt.Int64(1);
    r.oldest_update_ms = stmt.Int64(2);
    r.oldest_created_ms = stmt.Int64(3);
    r.overdue = stmt.Int64(4);
  }
  return rows;
}

Result<QuotaView> ReadQuota(store::Database& state, const Options& options,
                            const std::vector<StateRow>& queue, TimePoint now) {
  QuotaView v;
  ASSIGN_OR_RETURN(std::vector<pipeline::QuotaWindow> windows,
                   pipeline::ParseQuotaWindows(options.quota));
  UsageReader usage(state);
  pipeline::QuotaGovernor quota(std::move(windows), &usage);
  RETURN_IF_ERROR(quota.Load(now));
  v.windows = quota.Usage(now);
  std::vector<domain::StateCount> counts;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    counts.push_back({static_cast<domain::JobState>(i), queue[i].count, std::nullopt});
    const auto s = static_cast<domain::JobState>(i);
    if (s == domain::JobState::kLookup || s == domain::JobState::kUpload ||
        s == domain::JobState::kComment || s == domain::JobState::kPoll) {
      v.active += queue[i].count;
    }
  }
  const auto config = pipeline::PipelineConfig::FromOptions(options);
  v.backlog_requests = pipeline::EstimateRequests(
      counts, config, options.api_version == 2 ? config.v2_batch_size : 1);
  v.eta = quota.EstimateCompletion(now, v.backlog_requests);
  return v;
}

}  // namespace honeyvt::web
