#pragma once
// The engine's one door to the API quota: it claims the jobs of a request and accounts
// for the request. Two implementations:
//
//  * GovernorGate (one host, SQLite): the in-process QuotaGovernor decides; Claim is the
//    store's claim and the request is counted by Spend just before it is sent. This is the
//    engine's behaviour from before fleets existed, call for call.
//  * fleet::FleetGate (PostgreSQL, src/fleet): the shared ledger decides. Claim leases the
//    jobs AND reserves the request in one database transaction (the key's row locked,
//    the database clock read after the lock), so several workers never overspend a
//    shared key; Spend only checks that the reservation is still fresh enough to send.
//
// The protocol of one engine step: Claim (jobs for one request; riders of a v2 batch are
// claimed from the JobStore directly, they share that request), then for the request
// either Spend -> send -> Settle, or Unspent when no request turned out to be needed
// (local checks failed, nothing left to poll). Not thread-safe: one gate per engine.

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/job_store.h"
#include "pipeline/quota.h"

namespace honeyvt::pipeline {

class QuotaGate {
 public:
  virtual ~QuotaGate() = default;

  // Brings the gate's view of the quota up to date (fleet: reads the shared ledger if
  // its snapshot is old); the engine calls it once per step.
  virtual Status Refresh(TimePoint now) = 0;
  // Earliest time >= now at which a request may be made (pauses and blocks included).
  virtual TimePoint NextOpening(TimePoint now) const = 0;
  bool Available(TimePoint now) const { return NextOpening(now) <= now; }
  // See QuotaGovernor: Spare, PaceOpening, CalendarRoom.
  virtual bool Spare(TimePoint now) const = 0;
  virtual TimePoint PaceOpening(TimePoint now) const = 0;
  virtual QuotaGovernor::Room CalendarRoom(TimePoint now) const = 0;

  // Leases up to `limit` due jobs of `state` for one request (JobStore::Claim semantics).
  // Empty when none is due, or (fleet) when the quota has no room: NextOpening then says
  // when to try again.
  virtual Result<std::vector<domain::Job>> Claim(domain::JobState state, TimePoint now, int limit,
                                                 const domain::Lease& lease) = 0;
  // The request for the last claim is about to be sent. true: send it. false: it must not
  // be sent any more (fleet: its reservation is older than the send deadline; the quota
  // is given back) and the jobs are to be released unchanged.
  virtual Result<bool> Spend(TimePoint now, std::string_view kind) = 0;
  // The last claim needed no request after all (fleet: the reservation is given back).
  virtual void Unspent() = 0;
  // The request sent at `sent` was answered at `done`.
  virtual Status Settle(TimePoint sent, TimePoint done) = 0;
  // The server said "quota exceeded" although the gate saw room (fleet: blocks every
  // worker of the key, escalating as in docs/fleet.md).
  virtual void OnQuotaExceeded(TimePoint now, std::optional<std::chrono::seconds> retry_after) = 0;
  // Pauses every request until `until` (rate limiting; fleet: the whole key).
  virtual void PauseUntil(TimePoint until) = 0;
  virtual TimePoint paused_until() const = 0;
};

// The single-host gate over a QuotaGovernor and the job store. Both are borrowed.
class GovernorGate final : public QuotaGate {
 public:
  GovernorGate(QuotaGovernor& governor, domain::JobStore& jobs)
      : governor_(&governor), jobs_(&jobs) {}

  Status Refresh(TimePoint) override { return OkStatus(); }
  TimePoint NextOpening(TimePoint now) const override { return governor_->NextOpening(now); }
  bool Spare(TimePoint now) const override { return governor_->Spare(now); }
  TimePoint PaceOpening(TimePoint now) const override { return governor_->PaceOpening(now); }
  QuotaGovernor::Room CalendarRoom(TimePoint now) const override {
    return governor_->CalendarRoom(now);
  }
  Result<std::vector<domain::Job>> Claim(domain::JobState state, TimePoint now, int limit,
                                         const domain::Lease& lease) override {
    return jobs_->Claim(state, now, limit, lease);
  }
  Result<bool> Spend(TimePoint now, std::string_view kind) override {
    RETURN_IF_ERROR(governor_->Record(now, kind));
    return true;
  }
  void Unspent() override {}
  Status Settle(TimePoint sent, TimePoint done) override { return governor_->Settle(sent, done); }
  void OnQuotaExceeded(TimePoint now, std::optional<std::chrono::seconds> retry_after) override {
    governor_->OnQuotaExceeded(now, retry_after);
  }
  void PauseUntil(TimePoint until) override { governor_->PauseUntil(until); }
  TimePoint paused_until() const override { return governor_->paused_until(); }

 private:
  QuotaGovernor* governor_;
  domain::JobStore* jobs_;
};

}  // namespace honeyvt::pipeline
