#pragma once
// honeyvt's own state database (SQLite): the durable job queue, the request log of the
// quota governor and learned analysis durations. The layout is documented in
// docs/state-db.md; schema changes are migrations recorded in PRAGMA user_version.
//
// Durability: WAL journal, synchronous=FULL; every mutation is one short BEGIN IMMEDIATE
// transaction, so a kill -9 leaves either the state before or after a step, never half.
// Several processes may open the file at once (the daemon, `enqueue`, `status`); SQLite's
// locking serialises them and busy_timeout makes writers wait.
//
// Thread safety: one StateDb per thread.

#include <filesystem>

#include "core/clock.h"
#include "domain/job_store.h"
#include "store/sqlite.h"

namespace honeyvt::store {

class StateDb final : public domain::JobStore, public domain::UsageStore {
 public:
  // Opens (creating if missing) and migrates the state database at `path`.
  static Result<StateDb> Open(const std::filesystem::path& path);
  // Opens an existing state database without creating it (kNotFound if missing).
  static Result<StateDb> OpenExisting(const std::filesystem::path& path);

  StateDb(StateDb&&) noexcept = default;

  // JobStore.
  Result<domain::EnqueueCounts> Enqueue(std::span<const domain::EnqueueItem> items,
                                        TimePoint now) override;
  Result<std::vector<domain::Job>> Claim(domain::JobState state, TimePoint now, int limit,
                                         const domain::Lease& lease) override;
  Status Finish(const domain::Job& job, const domain::Lease& lease, TimePoint now) override;
  Status Release(const domain::Job& job, const domain::Lease& lease) override;
  Result<std::int64_t> ReclaimLeases(
      TimePoint now, const std::function<bool(std::int64_t owner)>& owner_alive) override;
  Result<std::vector<domain::StateCount>> Counts() override;
  Result<std::vector<domain::StateCount>> ActiveCounts(std::int64_t cap) override;
  Result<std::optional<int>> TopDuePriority(domain::JobState state, TimePoint now) override;
  Result<std::vector<domain::Job>> List(domain::JobState state, int limit) override;
  Result<std::optional<domain::Job>> Find(std::string_view hash) override;
  Result<std::int64_t> Retry(domain::RetryScope scope, std::string_view hash,
                             TimePoint now) override;

  // UsageStore.
  Result<std::int64_t> RecordRequest(TimePoint at, std::string_view kind) override;
  Status SettleRequest(std::int64_t id, TimePoint at) override;
  Status SettleLatestRequest(TimePoint at) override;
  Result<std::vector<TimePoint>> RequestsSince(TimePoint since) override;
  Result<std::int64_t> CountRequestsSince(TimePoint since) override;
  Status PruneRequests(TimePoint before) override;
  Status RecordAnalysisDuration(TimePoint at, std::chrono::seconds duration) override;
  Result<std::vector<std::chrono::seconds>> RecentAnalysisDurations(int limit) override;
  Result<std::optional<double>> LoadTuning(std::string_view key) override;
  Status SaveTuning(std::string_view key, double value) override;

  Database& db() { return db_; }

 private:
  explicit StateDb(Database db) : db_(std::move(db)) {}
  static Result<StateDb> OpenWith(const std::filesystem::path& path, OpenMode mode);
  Database db_;
};

// Unix milliseconds, the unit of every time column of the state database.
std::int64_t ToUnixMillis(TimePoint t);
TimePoint FromUnixMillis(std::int64_t ms);

}  // namespace honeyvt::store
