#pragma once
// A read-only view of the quota request log (state database `quota_requests`) for the
// QuotaGovernor the dashboard builds to show each window's use and reset: it never writes
// (pruning is the daemon's job), so it works on a read-only copy too.

#include "domain/job_store.h"
#include "store/sqlite.h"

namespace honeyvt::web {

class UsageReader final : public domain::UsageStore {
 public:
  explicit UsageReader(store::Database& db) : db_(db) {}
  Result<std::vector<TimePoint>> RequestsSince(TimePoint since) override;
  Result<std::int64_t> CountRequestsSince(TimePoint since) override;
  Status PruneRequests(TimePoint) override { return OkStatus(); }
  // Writes are not this view's business.
  Result<std::int64_t> RecordRequest(TimePoint, std::string_view) override { return ReadOnly(); }
  Status SettleRequest(std::int64_t, TimePoint) override { return ReadOnly(); }
  Status SettleLatestRequest(TimePoint) override { return ReadOnly(); }
  Status RecordAnalysisDuration(TimePoint, std::chrono::seconds) override { return ReadOnly(); }
  Result<std::vector<std::chrono::seconds>> RecentAnalysisDurations(int limit) override;
  Result<std::optional<double>> LoadTuning(std::string_view) override {
    return std::optional<double>();
  }
  Status SaveTuning(std::string_view, double) override { return ReadOnly(); }

 private:
  static Error ReadOnly() {
    return MakeError(ErrorCode::kInternal, "the dashboard's usage view is read-only");
  }
  store::Database& db_;
};

}  // namespace honeyvt::web
