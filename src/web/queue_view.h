#pragma once
// The queue and quota as the dashboard and /metrics show them, read from the state
// database with plain indexed queries (never writing, so a read-only copy works).

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/options.h"
#include "pipeline/quota.h"
#include "store/sqlite.h"

namespace honeyvt::web {

struct StateRow {
  std::string state;
  std::int64_t count = 0;
  std::int64_t oldest_update_ms = 0;  // least recently changed job (0: none)
  std::int64_t oldest_created_ms = 0;
  std::int64_t overdue = 0;  // active jobs due more than an hour ago
};
// One row per job state (domain::JobState order), zero counts included.
Result<std::vector<StateRow>> ReadQueue(store::Database& state, TimePoint now);

struct QuotaView {
  std::vector<pipeline::WindowUsage> windows;
  std::int64_t backlog_requests = 0;
  TimePoint eta{};
  std::int64_t active = 0;  // jobs in lookup, upload, comment, poll
};
Result<QuotaView> ReadQuota(store::Database& state, const Options& options,
                            const std::vector<StateRow>& queue, TimePoint now);

}  // namespace honeyvt::web
