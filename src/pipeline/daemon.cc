#include "pipeline/daemon.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace honeyvt::pipeline {

using domain::JobState;

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
    const TimePoint now = clock_->Now();
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
