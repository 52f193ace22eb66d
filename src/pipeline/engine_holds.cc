// Engine: due steps held back on purpose, so that the calendar quota (the day's and the
// month's requests) buys as many verdicts, as soon after their analyses, as it can.
#include <algorithm>
#include <limits>

#include "pipeline/engine.h"

namespace honeyvt::pipeline {

using domain::JobState;

namespace {

std::int64_t Ceil(std::int64_t n, std::int64_t d) { return (n + d - 1) / d; }

}  // namespace

int Engine::ReportBatch() const {
  return d_.client->MaxBatch() > 1 ? std::clamp(config_.v2_batch_size, 1, d_.client->MaxBatch())
                                   : 1;
}

Result<const std::vector<domain::StateCount>*> Engine::Counts() {
  if (!counts_) {
    ASSIGN_OR_RETURN(std::vector<domain::StateCount> counts, d_.jobs->ActiveCounts(kCountCap));
    counts_ = std::move(counts);
  }
  return &*counts_;
}

Result<bool> Engine::CalendarBound(std::int64_t room) {
  ASSIGN_OR_RETURN(const std::vector<domain::StateCount>* counts, Counts());
  const int batch = ReportBatch();
  std::int64_t demand = 0;
  for (const auto& c : *counts) {
    switch (c.state) {
      case JobState::kLookup:
      case JobState::kRelookup:
        demand += Ceil(c.count, batch);
        break;
      case JobState::kUpload:
        demand += kUploadCost * c.count;
        break;
      case JobState::kComment:
      case JobState::kPoll:
        demand += kInFlightCost * c.count;
        break;
      default:
        break;
    }
  }
  return room < demand;
}

std::optional<TimePoint> Engine::NextDue(JobState state) const {
  for (const auto& c : *counts_) {
    if (c.state == state && c.count > 0) return c.next_due;
  }
  return std::nullopt;
}

Result<bool> Engine::UploadHasRoom() {
  const QuotaGovernor::Room room = d_.quota->CalendarRoom(now_);
  if (room.room == std::numeric_limits<std::int64_t>::max()) return true;
  ASSIGN_OR_RETURN(const std::vector<domain::StateCount>* counts, Counts());
  std::int64_t in_flight = 0;
  for (const auto& c : *counts) {
    if (c.state == JobState::kComment || c.state == JobState::kPoll) in_flight += c.count;
  }
  if (room.room < kUploadCost + kInFlightCost * in_flight) {
    // Room comes back when the window resets, or earlier when an in-flight sample
    // finishes (its poll is a due step of its own, which wakes the daemon anyway).
    uploads_held_until_ = room.resets_at;
    return false;
  }
  if (ReportBatch() > 1) return true;
  // Without batched polls (v3) every poll is a request of its own that must find the rate
  // window open when it falls due. While the calendar window binds, nothing is gained by
  // uploading faster than its even pace, and bursts of uploads make the polls queue.
  ASSIGN_OR_RETURN(bool bound, CalendarBound(room.room));
  if (!bound) return true;
  const TimePoint pace = d_.quota->PaceOpening(now_);
  if (pace <= now_) return true;
  uploads_held_until_ = pace;
  return false;
}

Result<bool> Engine::LookupsWait(JobState state) {
  // A due upload of a sample with a higher priority than every due lookup (seen in more
  // downloads, or the honeypot's new catch against the backlog) goes first.
  RETURN_IF_ERROR(Counts());
  // Nothing of `state` due: nothing to hold (and no queries on this path, taken every step).
  if (auto due = NextDue(state); !due || *due > now_) return false;
  const std::optional<TimePoint> upload_due = NextDue(JobState::kUpload);
  bool upload_now = false;
  std::optional<int> upload, lookup;
  if (upload_due && *upload_due <= now_) {
    ASSIGN_OR_RETURN(upload, d_.jobs->TopDuePriority(JobState::kUpload, now_));
    ASSIGN_OR_RETURN(lookup, d_.jobs->TopDuePriority(state, now_));
    if (upload) {
      ASSIGN_OR_RETURN(upload_now, UploadHasRoom());
    }
  }
  if (upload_now && (!lookup || *upload > *lookup)) {
    lookups_held_until_ = now_ + kRideWait;
    return true;
  }
  if (ReportBatch() <= 1) return false;  // v3, or batching turned off: nothing to ride on
  const QuotaGovernor::Room room = d_.quota->CalendarRoom(now_);
  if (room.room == std::numeric_limits<std::int64_t>::max()) return false;
  ASSIGN_OR_RETURN(bool bound, CalendarBound(room.room));
  if (!bound) return false;
  // Ride when what comes next has free slots for the lookups: a poll due soon, or an
  // upload now (its polls follow) while most lookups find unknown samples (each upload
  // brings about one free slot; when most samples are known there would not be enough).
  const std::optional<TimePoint> poll = NextDue(JobState::kPoll);
  const bool poll_soon = poll && *poll > now_ && *poll <= now_ + kRideWait;
  const bool feeding = upload_now && unknown_share_ >= kRideShare;
  if (!poll_soon && !feeding) return false;
  lookups_held_until_ = poll_soon ? *poll : now_ + kRideWait;
  return true;
}

}  // namespace honeyvt::pipeline
