#pragma once
// The fleet's shared state in PostgreSQL (schema in sql/, documented in docs/fleet.md):
// one queue for every sensor, sightings, the exact shared quota ledger, workers, and the
// report history. A FleetDb is one connection seen from one sensor (and, once
// registered, one worker): it implements the pipeline's storage contract
// (domain::JobStore, domain::UsageStore) plus what only a fleet needs.
//
// As a JobStore, compared with the single-host store::StateDb:
//  * Enqueue also records a sighting (sample, this sensor, path, has_file).
//  * Claim of `upload` returns only jobs this sensor may upload (it holds the file and
//    its policy allows uploads); a job's `path` is this sensor's copy, else the copy of
//    another sensor that may upload it, else "".
//  * Each claimed job carries a fencing token (Job::lease_token); Finish and Release
//    write only with the current token, otherwise kLeaseLost and nothing is written.
//  * ActiveCounts and TopDuePriority count uploads only where this sensor may upload.
//    A capped count above 1 (the engine's demand estimate, asked on every step) may be up
//    to a second old: counting a large queue on every claim would cost more than the claim.
//
// Errors follow error.h: kTransient when the server is unreachable (the next call
// reconnects), kBusy for a retryable conflict. Not thread-safe: one FleetDb per thread.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/options.h"
#include "domain/job_store.h"
#include "domain/report.h"
#include "store/pg/connection.h"

namespace honeyvt::pg {

// One quota window, parsed by the caller (pipeline::ParseQuotaWindows).
struct WindowDef {
  std::string spec;  // as configured, e.g. "500/1d"
  std::string kind;  // "sliding", "days" or "months"
  std::int64_t limit = 0;
  std::chrono::milliseconds length{0};  // sliding
  int periods = 1;                      // days / months
  bool operator==(const WindowDef&) const = default;
};

// Quota settings of an API key, fixed when the key is first registered.
struct KeySettings {
  std::vector<WindowDef> windows;
  std::chrono::milliseconds sliding_margin{1000};
  std::chrono::milliseconds boundary_guard{120000};
  std::chrono::milliseconds send_deadline{2000};
};

// Who this connection acts for.
struct Identity {
  int sensor_id = 0;
  std::string sensor;
  int key_id = 0;
  std::int64_t worker_id = 0;  // 0 until RegisterWorker
};

// The outcome of a claim with a quota reservation.
struct ReservedClaim {
  enum class Outcome { kGranted, kDenied, kEmpty };
  Outcome outcome = Outcome::kEmpty;
  std::vector<domain::Job> jobs;      // kGranted
  std::int64_t ledger_id = 0;         // kGranted: the reservation
  TimePoint db_time{};                // the database clock at the decision
  std::optional<TimePoint> retry_at;  // kDenied: when to ask again
};

// One window of the key as the ledger sees it now (honeyvt.quota_state).
struct WindowState {
  std::string spec;
  std::string kind;  // sliding, days, months
  std::int64_t used = 0;
  std::int64_t limit = 0;  // effective (a lowered estimate included)
  TimePoint opens_at{};    // <= db_time: a request fits now
  TimePoint resets_at{};   // sliding: the oldest request leaves; calendar: period end
  std::optional<TimePoint> period_start, period_end;
};

struct QuotaSnapshot {
  TimePoint db_time{};
  std::optional<TimePoint> blocked_until;
  std::string block_reason;
  std::vector<WindowState> windows;
};

enum class ReportWrite { kWritten, kStored, kHistory, kFenced };

// What `honeyvt status --fleet` shows (ReadFleetStatus).
struct FleetStatus {
  TimePoint db_time{};
  struct Worker {
    std::int64_t id = 0;
    std::string sensor, host, version, stop_reason;
    std::int64_t pid = 0;
    TimePoint started_at{}, heartbeat_at{};
    std::optional<TimePoint> stopped_at;
    bool alive = false;       // not stopped, heartbeat fresh
    std::int64_t leased = 0;  // jobs it holds now
  };
  struct Sensor {
    std::string name, upload_policy;
    std::int64_t samples = 0, files = 0;  // sightings, those with the file
    std::int64_t live_workers = 0;
    std::int64_t mirror_behind = 0;  // reports its local logsql may still lack
  };
  struct Key {
    std::string fingerprint;  // first 12 hex digits of the key's sha256
    QuotaSnapshot quota;
    std::int64_t in_flight = 0;  // reservations sent and not answered
  };
  std::vector<Worker> workers;  // live ones first, then the 20 most recently stopped
  std::vector<Sensor> sensors;
  std::vector<Key> keys;
  std::vector<domain::StateCount> counts;  // every state
  std::int64_t waiting_for_holder = 0;     // uploads no live worker may run
  std::int64_t reports = 0;
  std::vector<domain::Job> failures;  // newest first
};

class FleetDb final : public domain::JobStore, public domain::UsageStore {
 public:
  // Connects (application_name "honeyvt/<role>") and checks that the schema is the one
  // this build knows (CheckFleetSchema).
  static Result<FleetDb> Open(std::string_view dsn, std::string_view role);

  FleetDb(FleetDb&&) noexcept = default;

  // --- Registration (fleet_workers.cc).
  // Creates or finds the sensor; its upload policy is updated to `policy`.
  Status UseSensor(const std::string& name, UploadPolicy policy);
  // Creates or finds the key by fingerprint (sha256 of the key). A new key gets
  // `settings`; an existing one keeps its own, and `mismatch` (if given) describes how
  // they differ from `settings` ("" when they agree).
  Status UseKey(const std::string& fingerprint, const KeySettings& settings,
                std::string* mismatch = nullptr);
  // Registers this process as a worker of the sensor; sets identity().worker_id.
  Status RegisterWorker(const std::string& host, std::int64_t pid, const std::string& version);
  // Adopts an identity (and the key's settings) registered on another connection of the
  // same process.
  void Adopt(const Identity& identity, const KeySettings& key) {
    id_ = identity;
    key_settings_ = key;
  }
  // Takes the worker's session advisory lock (held until the session ends: other
  // workers then know this process is gone). Again after every reconnect.
  Status HoldWorkerLock();
  // Records a heartbeat; reopens a worker that the fleet had presumed dead.
  Status Heartbeat();
  // Reclaims the jobs of dead workers and expired leases (honeyvt.sweep), unless another
  // worker swept less than `every` ago (0: always). Returns the jobs reclaimed.
  Result<int> Sweep(std::chrono::milliseconds stale_after, int crash_limit,
                    std::chrono::milliseconds every = std::chrono::milliseconds(0));
  // Marks this worker stopped and frees the jobs it still leases (a clean exit).
  Status StopWorker(const std::string& reason);
  // Frees every job this worker leases (after a reconnect: whatever was in flight when
  // the connection broke is repeated, its token check stops a stale completion).
  Result<std::int64_t> ReleaseOwnLeases();

  // --- Quota (fleet_quota.cc).
  // Claim and reservation in one transaction (honeyvt.claim). `ceiling`: the longest a
  // request may stay in flight (counted by sliding windows until answered).
  Result<ReservedClaim> ClaimReserved(domain::JobState state, TimePoint due, int limit,
                                      std::chrono::milliseconds lease, std::string_view kind,
                                      int cost, std::chrono::milliseconds ceiling);
  Status SettleReservation(std::int64_t ledger_id, std::string_view outcome);
  // Gives back a reservation that was never sent ("unused", "abandoned").
  Status RefundReservation(std::int64_t ledger_id, std::string_view outcome);
  // An unexpected quota reply to the request of `ledger_id`: blocks the key (escalating);
  // returns the block's end.
  Result<TimePoint> QuotaReply(std::int64_t ledger_id,
                               std::optional<std::chrono::seconds> retry_after);
  Result<TimePoint> PauseKey(TimePoint until, const std::string& reason);
  Result<QuotaSnapshot> QuotaState();
  Result<TimePoint> DatabaseNow();
  KeySettings key_settings() const { return key_settings_; }

  // --- Results (fleet_reports.cc).
  // Stores `report` for the leased `job` (honeyvt.store_report): fenced by the lease.
  Result<ReportWrite> StoreReport(const domain::Job& job, const domain::FileReport& report,
                                  int api_version, TimePoint fetched_at);
  // Imports for `fleet migrate-state`: a report fetched on a single host (no fencing),
  // and a single-host job ("added", "merged" or "kept"; see honeyvt.import_job).
  Result<ReportWrite> ImportReport(const domain::FileReport& report, int api_version,
                                   TimePoint fetched_at);
  Result<std::string> ImportJob(const domain::Job& job, bool has_file);
  struct MirrorItem {
    std::int64_t seq = 0;
    domain::FileReport report;
    int api_version = 3;
    TimePoint fetched_at{};
  };
  struct MirrorBatch {
    std::vector<MirrorItem> items;       // in seq order
    std::int64_t cursor = 0;             // the sensor's cursor once `items` are applied
    std::vector<std::int64_t> backfill;  // jobs whose sighting came after their reports
    bool more = false;                   // the batch was cut at the limit
  };
  // Reports this sensor's local logsql still lacks: every report after the sensor's
  // cursor of a sample it sighted, and every report of samples it sighted only after
  // their reports were written (backfill). Reads up to `limit` reports past the cursor.
  Result<MirrorBatch> PendingMirror(int limit);
  // Records that the mirror applied `batch` (cursor moved, backfills done).
  Status AdvanceMirror(const MirrorBatch& batch);
  // Every report (of every sensor) after `after_seq`, at most `limit`, in seq order.
  Result<std::vector<MirrorItem>> ReadReports(std::int64_t after_seq, int limit);
  struct SightingRow {
    std::int64_t job_id = 0;
    std::string sensor, md5, path;
    TimePoint first_seen{};
  };
  // Sightings of samples with an md5, by job id after `after_job`, at most `limit`.
  Result<std::vector<SightingRow>> ReadSightings(std::int64_t after_job, int limit);

  // --- The whole fleet at a glance (fleet_status.cc). A worker counts as alive while
  // not stopped and its heartbeat is younger than `dead_after`.
  Result<FleetStatus> ReadFleetStatus(std::chrono::milliseconds dead_after, int max_failures);

  // --- domain::JobStore (fleet_jobs.cc).
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

  // --- domain::UsageStore (fleet_usage.cc): the key's ledger and the fleet's shared
  // learnt values. RecordRequest charges the ledger without a decision (imports only).
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

  const Identity& identity() const { return id_; }
  Connection& connection() { return conn_; }
  // Reconnects if the session broke (prepared statements and the worker lock are
  // renewed). kTransient while the server stays unreachable.
  Status EnsureConnected();

 private:
  explicit FleetDb(Connection conn) : conn_(std::move(conn)) {}
  Result<std::vector<MirrorItem>> LoadReports(const std::vector<std::int64_t>& seqs);
  // A prepared statement on a live connection.
  Result<PgResult> Run(std::string_view name, std::string_view sql, const Params& params);

  Connection conn_;
  struct CountsCache {
    std::int64_t cap = 0;
    std::chrono::steady_clock::time_point at;
    std::vector<domain::StateCount> counts;
  };
  std::optional<CountsCache> counts_cache_;
  Identity id_;
  KeySettings key_settings_;
  bool holds_lock_ = false;
};

// Row decoding shared by the fleet_*.cc files: a job from the columns of
// honeyvt.job_rows starting at `first`.
Result<domain::Job> JobFromRow(const PgResult& res, int row, int first);

}  // namespace honeyvt::pg
