#include "pipeline/daemon.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace honeyvt::pipeline {

using domain::JobState;

std::string StatusLine(const QueueSummary& summary) {
  static constexpr std::pair<JobState, const char*> kWords[] = {{JobState::kLookup, "to look up"},
                                                                {JobState::kUpload, "to upload"},
                                                                {JobState::kPoll, "polling"},
                                                                {JobState::kComment, "to comment"},
                                                                {JobState::kRelookup, "parked"}};
  std::string out;
  bool active = false;
  for (const auto& [state, words] : kWords) {
    for (const auto& c : summary.active) {
      if (c.state != state || c.count == 0) continue;
      if (state != JobState::kRelookup) active = true;
      if (!out.empty()) out += ", ";
      out += std::to_string(c.count);
      if (summary.cap > 0 && c.count >= summary.cap) out += "+";
      out += " ";
      out += words;
    }
  }
  if (out.empty()) return "queue empty, waiting for samples";
  if (active && summary.quota_opens > summary.now) {
    const auto wait =
        std::chrono::duration_cast<std::chrono::seconds>(summary.quota_opens - summary.now);
    out += wait >= std::chrono::minutes(2)
               ? "; quota used up, next request in " + std::to_string((wait.count() + 59) / 60) +
                     " min"
               : "; quota used up, next request in " + std::to_string(wait.count()) + " s";
  }
  return out;
}

void Daemon::RequestReload() {
  reload_requested_ = true;
  Wake();
}

Result<TimePoint> Daemon::Heartbeat(TimePoint now) {
  if (!options_.heartbeat || options_.heartbeat_interval <= Duration::zero()) {
    return TimePoint::max();
  }
  if (now < next_heartbeat_) return next_heartbeat_;
  static constexpr std::int64_t kCap = 100000;  // a bounded count, like ActiveCounts'
  QueueSummary summary;
  ASSIGN_OR_RETURN(summary.active, jobs_->ActiveCounts(kCap));
  summary.cap = kCap;
  summary.now = now;
  summary.quota_opens = quota_->NextOpening(now);
  options_.heartbeat(summary);
  next_heartbeat_ = now + options_.heartbeat_interval;
  return next_heartbeat_;
}

void Daemon::Wake() {
  std::lock_guard lock(wake_mu_);
  wake_.request_stop();
}

bool Daemon::Sleep(TimePoint deadline, std::stop_token stop) {
  std::stop_token wake;
  {
    std::lock_guard lock(wake_mu_);
    if (wake_.stop_requested()) wake_ = std::stop_source();
    wake = wake_.get_token();
  }
  std::stop_source combined;
  std::stop_callback on_stop(stop, [&] { combined.request_stop(); });
  std::stop_callback on_wake(wake, [&] { combined.request_stop(); });
  ++sleeps_;
  clock_->SleepUntil(deadline, combined.get_token());
  return !stop.stop_requested();
}

Status Daemon::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    if (reload_requested_.exchange(false) && options_.reload) options_.reload();
    const TimePoint now = clock_->Now();
    ASSIGN_OR_RETURN(const TimePoint heartbeat, Heartbeat(now));
    const TimePoint opening = quota_->NextOpening(now);
    if (opening <= now) {
      ASSIGN_OR_RETURN(bool worked, engine_->Step(stop));
      if (worked) {
        ++steps_;
        continue;
      }
    }
    // Nothing to do right now: find the next due job.
    ASSIGN_OR_RETURN(std::vector<domain::StateCount> counts, jobs_->ActiveCounts(1));
    std::optional<TimePoint> next_due;
    std::int64_t active = 0;
    for (const auto& c : counts) {
      if (domain::IsTerminal(c.state)) continue;
      if (c.state != JobState::kRelookup) active += c.count;
      std::optional<TimePoint> due = c.next_due;
      std::optional<TimePoint> held;
      if (c.state == JobState::kUpload) held = engine_->uploads_held_until();
      if (c.state == JobState::kLookup || c.state == JobState::kRelookup) {
        held = engine_->lookups_held_until();
      }
      if (due && held) due = std::max(*due, *held);
      if (due) next_due = next_due ? std::min(*next_due, *due) : *due;
    }
    if (options_.until_drained && active == 0) {
      spdlog::info("queue drained");
      return OkStatus();
    }
    TimePoint wake = now + options_.idle_recheck;
    if (next_due) wake = std::min(wake, std::max(*next_due, opening));
    if (opening > now && (!next_due || *next_due <= opening)) {
      wake = opening;
      if (opening - now >= std::chrono::minutes(1) && opening != announced_) {
        announced_ = opening;
        spdlog::info("quota used up; next request in {} s",
                     std::chrono::duration_cast<std::chrono::seconds>(opening - now).count());
      }
    }
    wake = std::min(wake, heartbeat);
    if (wake <= now) wake = now + std::chrono::milliseconds(1);  // leased/racing: yield
    const bool quota_bound = next_due && opening > now && *next_due < opening;
    if (!Sleep(wake, stop)) break;
    if (quota_bound && options_.quota_wait_seconds != nullptr) {
      const TimePoint from = std::max(now, *next_due);
      const TimePoint until = std::min(clock_->Now(), opening);
      if (until > from) {
        options_.quota_wait_seconds->Inc(std::chrono::duration<double>(until - from).count());
      }
    }
  }
  return OkStatus();
}

}  // namespace honeyvt::pipeline
