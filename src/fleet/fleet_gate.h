#pragma once
// The fleet's QuotaGate: an exact quota shared by every worker of an API key, decided by
// the central database (docs/fleet.md, "The exact shared quota").
//
// Claim leases the jobs of a request and reserves the request in ONE transaction
// (honeyvt.claim: the key's row locked, the database clock read after the lock, every
// window checked, the ledger row written). After that commit the request must leave
// within the key's send deadline: Spend checks it on a steady clock and, if the worker
// was too slow (a pause, a stall), gives the reservation back and the engine releases
// the jobs instead of sending late. Unspent gives back a reservation no request needed.
// Settle records the answer time (sliding windows count a request until its answer plus
// the window). An unexpected quota reply blocks the key for every worker, escalating
// (honeyvt.quota_reply); a rate-limit pause holds for the whole key too.
//
// Between claims the gate works from a snapshot of the key's windows (honeyvt.
// quota_state, at most `snapshot_max_age` old, renewed after every grant): NextOpening,
// Spare, PaceOpening and CalendarRoom are estimates for scheduling; the claim decides.
// Not thread-safe, except Invalidate (the session thread calls it on a quota notice).

#include <atomic>
#include <chrono>
#include <optional>

#include "pipeline/quota_gate.h"
#include "store/pg/fleet_db.h"

namespace honeyvt::fleet {

struct FleetGateOptions {
  std::chrono::milliseconds lease{360000};    // of each claim
  std::chrono::milliseconds ceiling{362000};  // longest a request may be in flight
  std::chrono::milliseconds snapshot_max_age{1000};
  int cost = 1;  // quota units per request (a v2 batch is one request)
};

class FleetGate final : public pipeline::QuotaGate {
 public:
  // `db` is the engine's connection (borrowed). Times passed in are on the engine's
  // DbClock, the database's time, like the times the database returns.
  FleetGate(pg::FleetDb& db, FleetGateOptions options) : db_(&db), options_(options) {}

  Status Refresh(TimePoint now) override;
  TimePoint NextOpening(TimePoint now) const override;
  bool Spare(TimePoint now) const override;
  TimePoint PaceOpening(TimePoint now) const override;
  pipeline::QuotaGovernor::Room CalendarRoom(TimePoint now) const override;
  Result<std::vector<domain::Job>> Claim(domain::JobState state, TimePoint now, int limit,
                                         const domain::Lease& lease) override;
  Result<bool> Spend(TimePoint now, std::string_view kind) override;
  void Unspent() override;
  Status Settle(TimePoint sent, TimePoint done) override;
  void OnQuotaExceeded(TimePoint now, std::optional<std::chrono::seconds> retry_after) override;
  void PauseUntil(TimePoint until) override;
  TimePoint paused_until() const override;

  // The snapshot is out of date (a block was set or lifted elsewhere).
  void Invalidate() { stale_.store(true); }
  const pg::QuotaSnapshot& snapshot() const { return snapshot_; }
  // Reservations given back because they could not be sent in time (for logs, tests).
  std::int64_t abandoned() const { return abandoned_; }

 private:
  struct Pending {
    std::int64_t ledger_id = 0;
    std::chrono::steady_clock::time_point granted;
  };

  pg::FleetDb* db_;
  FleetGateOptions options_;
  pg::QuotaSnapshot snapshot_;
  std::optional<std::chrono::steady_clock::time_point> snapshot_taken_;
  std::atomic<bool> stale_{true};
  TimePoint denied_until_{};               // the last denial's retry time
  TimePoint paused_until_{};               // local pause (the key's block is in the snapshot)
  std::optional<Pending> pending_;         // reserved, not yet sent
  std::optional<std::int64_t> in_flight_;  // sent, not yet settled
  std::optional<std::int64_t> last_sent_;  // the last request sent (for a quota reply)
  std::int64_t abandoned_ = 0;
};

}  // namespace honeyvt::fleet
