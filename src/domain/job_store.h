#pragma once
// The storage contract of the pipeline's durable queue, independent of the database behind
// it (SQLite today: store/state_db.h; a PostgreSQL backend can implement the same).
//
// Crash safety rests on three rules every implementation keeps:
//  * Enqueue is idempotent: a sample (by md5, sha1 or sha256) has at most one job;
//    enqueueing it again may raise its priority or add a missing path/hash, nothing else.
//  * Claim atomically leases due jobs to one owner (a process id, or a fleet worker id)
//    until an expiry; a leased job is invisible to other claims. Finish and Release act
//    only while the caller still holds the lease (and, where the store fences, the claim's
//    Job::lease_token), each in one transaction; otherwise they write nothing and fail
//    with kLeaseLost.
//  * ReclaimLeases frees leases whose owner died or whose expiry passed, so a kill -9 never
//    leaves a job stuck.
// All times are wall-clock (UTC) TimePoints from the injected Clock.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/job.h"

namespace honeyvt::domain {

struct Lease {
  std::int64_t owner = 0;  // process id of the claimer (fleet: its worker id)
  TimePoint expires{};
};

struct StateCount {
  JobState state;
  std::int64_t count = 0;
  std::optional<TimePoint> next_due;  // earliest next_action_at among unleased jobs
};

enum class RetryScope {
  kFailed,  // every failed job
  kAll,     // every failed and parked (relookup) job
  kHash,    // the one job with this hash, whatever its state (done = refresh)
};

class JobStore {
 public:
  virtual ~JobStore() = default;

  // Adds or merges samples in one transaction. kInvalidArgument if an item has no hash.
  virtual Result<EnqueueCounts> Enqueue(std::span<const EnqueueItem> items, TimePoint now) = 0;
  // Leases up to `limit` unleased jobs in `state` due at `now`, highest priority first,
  // then for kLookup the most recently created job, for other states the earliest due
  // (then the oldest job).
  virtual Result<std::vector<Job>> Claim(JobState state, TimePoint now, int limit,
                                         const Lease& lease) = 0;
  // Stores the job's new state/fields (and any hashes that became known) and clears the
  // lease. kLeaseLost if `lease.owner` no longer holds it (nothing is written).
  virtual Status Finish(const Job& job, const Lease& lease, TimePoint now) = 0;
  // Clears the lease without changing the job (a step that was not carried out).
  // kLeaseLost if the lease was no longer ours.
  virtual Status Release(const Job& job, const Lease& lease) = 0;
  // Frees every lease that expired before `now` or whose owner is not alive. Returns how
  // many jobs were freed.
  virtual Result<std::int64_t> ReclaimLeases(
      TimePoint now, const std::function<bool(std::int64_t owner)>& owner_alive) = 0;

  // Per state: number of jobs and the earliest unleased due time (a full count: for
  // `status`).
  virtual Result<std::vector<StateCount>> Counts() = 0;
  // The same for the active states only (lookup, upload, comment, poll, relookup), with
  // each count capped at `cap`. Cheap whatever the queue size (the daemon asks after every
  // idle step): a capped count and one index probe per state.
  virtual Result<std::vector<StateCount>> ActiveCounts(std::int64_t cap) = 0;
  // The highest priority among the unleased jobs in `state` due at `now` (nullopt: none
  // due). One probe of the claim index (state, priority DESC, ...).
  virtual Result<std::optional<int>> TopDuePriority(JobState state, TimePoint now) = 0;
  // Jobs in `state`, most recently updated first.
  virtual Result<std::vector<Job>> List(JobState state, int limit) = 0;
  // The job holding this hash (any kind), if any.
  virtual Result<std::optional<Job>> Find(std::string_view hash) = 0;
  // Puts the selected jobs back to kLookup, due now, attempts 0. Returns how many.
  virtual Result<std::int64_t> Retry(RetryScope scope, std::string_view hash, TimePoint now) = 0;
};

// Persistent bookkeeping of the pipeline besides jobs: every API request (for the quota
// windows, so a restart does not spend the same minute twice) and observed analysis
// durations (for adaptive polling).
class UsageStore {
 public:
  virtual ~UsageStore() = default;
  // Records one request made at `at`, in its own durable transaction; returns its id.
  virtual Result<std::int64_t> RecordRequest(TimePoint at, std::string_view kind) = 0;
  // Moves a recorded request to the time its answer arrived (see QuotaGovernor::Settle).
  virtual Status SettleRequest(std::int64_t id, TimePoint at) = 0;
  // Moves the most recent request to `at` if it was earlier. Used when a daemon starts: the
  // last request of a run that was killed may never have been answered, and the server
  // counted it when it arrived, later than the send time we logged. The daemon makes one
  // request at a time, so only the latest can be unsettled.
  virtual Status SettleLatestRequest(TimePoint at) = 0;
  // Times of the requests made at or after `since`, oldest first.
  virtual Result<std::vector<TimePoint>> RequestsSince(TimePoint since) = 0;
  virtual Result<std::int64_t> CountRequestsSince(TimePoint since) = 0;
  // Forgets requests before `before`.
  virtual Status PruneRequests(TimePoint before) = 0;
  virtual Status RecordAnalysisDuration(TimePoint at, std::chrono::seconds duration) = 0;
  // The most recent observed durations, newest first.
  virtual Result<std::vector<std::chrono::seconds>> RecentAnalysisDurations(int limit) = 0;
  // Learnt tuning values by name (e.g. the adaptive poll offsets); nullopt if never saved.
  virtual Result<std::optional<double>> LoadTuning(std::string_view key) = 0;
  virtual Status SaveTuning(std::string_view key, double value) = 0;
};

}  // namespace honeyvt::domain
