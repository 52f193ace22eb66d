#include "fleet/fleet_gate.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

namespace honeyvt::fleet {

using domain::JobState;
using pg::ReservedClaim;
using Steady = std::chrono::steady_clock;

namespace {

std::string_view KindOf(JobState state) {
  switch (state) {
    case JobState::kUpload:
      return "upload";
    case JobState::kComment:
      return "comment";
    case JobState::kPoll:
      return "poll";
    default:
      return "lookup";
  }
}

bool Calendar(const pg::WindowState& w) { return w.kind != "sliding"; }

}  // namespace

Status FleetGate::Refresh(TimePoint /*now*/) {
  const auto steady = Steady::now();
  if (!stale_.load() && snapshot_taken_ && steady - *snapshot_taken_ < options_.snapshot_max_age) {
    return OkStatus();
  }
  ASSIGN_OR_RETURN(pg::QuotaSnapshot snap, db_->QuotaState());
  snapshot_ = std::move(snap);
  snapshot_taken_ = steady;
  stale_.store(false);
  return OkStatus();
}

TimePoint FleetGate::NextOpening(TimePoint now) const {
  TimePoint t = std::max({now, paused_until_, denied_until_});
  if (snapshot_.blocked_until) t = std::max(t, *snapshot_.blocked_until);
  for (const auto& w : snapshot_.windows) t = std::max(t, w.opens_at);
  return t;
}

bool FleetGate::Spare(TimePoint now) const { return Available(now) && PaceOpening(now) <= now; }

TimePoint FleetGate::PaceOpening(TimePoint now) const {
  TimePoint out = now;
  for (const auto& w : snapshot_.windows) {
    if (!Calendar(w) || !w.period_start || !w.period_end || w.limit <= 0) continue;
    const double used = static_cast<double>(w.used + 1);
    const double limit = static_cast<double>(w.limit);
    TimePoint at = *w.period_end;
    if (used <= limit) {
      at = *w.period_start +
           std::chrono::ceil<Duration>(
               std::chrono::duration<double>(*w.period_end - *w.period_start) * (used / limit));
    }
    out = std::max(out, at);
  }
  return out;
}

pipeline::QuotaGovernor::Room FleetGate::CalendarRoom(TimePoint now) const {
  pipeline::QuotaGovernor::Room out{std::numeric_limits<std::int64_t>::max(), now};
  for (const auto& w : snapshot_.windows) {
    if (!Calendar(w)) continue;
    const std::int64_t room = std::max<std::int64_t>(0, w.limit - w.used);
    if (room < out.room) out = {room, w.period_end.value_or(now)};
  }
  return out;
}

Result<std::vector<domain::Job>> FleetGate::Claim(JobState state, TimePoint now, int limit,
                                                  const domain::Lease& /*lease*/) {
  if (now < denied_until_) return std::vector<domain::Job>();
  if (pending_) Unspent();  // a claim whose request was never settled: give it back
  ASSIGN_OR_RETURN(ReservedClaim claim,
                   db_->ClaimReserved(state, now, limit, options_.lease, KindOf(state),
                                      options_.cost, options_.ceiling));
  switch (claim.outcome) {
    case ReservedClaim::Outcome::kGranted:
      pending_ = Pending{claim.ledger_id, Steady::now()};
      stale_.store(true);  // our own grant changed the windows
      return std::move(claim.jobs);
    case ReservedClaim::Outcome::kDenied:
      // The database's retry time is on its clock, which is ours (DbClock).
      denied_until_ = claim.retry_at.value_or(now + std::chrono::seconds(1));
      stale_.store(true);
      return std::vector<domain::Job>();
    case ReservedClaim::Outcome::kEmpty:
      break;
  }
  return std::vector<domain::Job>();
}

Result<bool> FleetGate::Spend(TimePoint /*now*/, std::string_view kind) {
  if (!pending_) {
    return MakeError(ErrorCode::kInternal,
                     "a request without a reservation (" + std::string(kind) + ")");
  }
  const Pending p = *pending_;
  pending_.reset();
  const auto late = Steady::now() - p.granted;
  if (late > db_->key_settings().send_deadline) {
    // Sent now, it could land in a window the ledger no longer reserves for it.
    ++abandoned_;
    spdlog::warn(
        "a {} request was not sent within the send deadline ({} ms after its "
        "reservation); its quota is given back and the job is released",
        kind, std::chrono::duration_cast<std::chrono::milliseconds>(late).count());
    if (Status st = db_->RefundReservation(p.ledger_id, "abandoned"); !st) {
      spdlog::warn("could not give the reservation back: {}", st.error().ToString());
    }
    return false;
  }
  in_flight_ = p.ledger_id;
  last_sent_ = p.ledger_id;
  return true;
}

void FleetGate::Unspent() {
  if (!pending_) return;
  const std::int64_t id = pending_->ledger_id;
  pending_.reset();
  if (Status st = db_->RefundReservation(id, "unused"); !st) {
    spdlog::warn("could not give an unused reservation back: {}", st.error().ToString());
  }
  stale_.store(true);
}

Status FleetGate::Settle(TimePoint /*sent*/, TimePoint /*done*/) {
  if (!in_flight_) return OkStatus();
  const std::int64_t id = *in_flight_;
  in_flight_.reset();
  return db_->SettleReservation(id, "answered");
}

void FleetGate::OnQuotaExceeded(TimePoint now, std::optional<std::chrono::seconds> retry_after) {
  stale_.store(true);
  if (last_sent_) {
    auto until = db_->QuotaReply(*last_sent_, retry_after);
    if (until) {
      paused_until_ = std::max(paused_until_, *until);
      return;
    }
    spdlog::warn("could not record the quota reply in the fleet database: {}",
                 until.error().ToString());
  }
  // Without the database: at least this worker backs off for a minute.
  paused_until_ = std::max(paused_until_, now + retry_after.value_or(std::chrono::seconds(60)));
}

void FleetGate::PauseUntil(TimePoint until) {
  paused_until_ = std::max(paused_until_, until);
  stale_.store(true);
  if (auto st = db_->PauseKey(until, "VirusTotal asked to slow down (rate limited)"); !st) {
    spdlog::warn("could not pause the key in the fleet database: {}", st.error().ToString());
  }
}

TimePoint FleetGate::paused_until() const {
  TimePoint t = paused_until_;
  if (snapshot_.blocked_until) t = std::max(t, *snapshot_.blocked_until);
  return t;
}

}  // namespace honeyvt::fleet
