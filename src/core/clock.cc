#include "core/clock.h"

namespace honeyvt {

bool SystemClock::SleepUntil(TimePoint deadline, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  // wait_until with a stop token returns early (true/false) when stop is requested.
  cv.wait_until(lock, stop, deadline, [] { return false; });
  return !stop.stop_requested();
}

TimePoint FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

bool FakeClock::SleepUntil(TimePoint deadline, std::stop_token stop) {
  std::unique_lock lock(mu_);
  if (auto_advance_) {
    if (stop.stop_requested()) return false;
    if (deadline > now_) now_ = deadline;
    cv_.notify_all();
    return true;
  }
  cv_.wait(lock, stop, [&] { return now_ >= deadline; });
  return !stop.stop_requested();
}

void FakeClock::Advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    now_ += d;
  }
  cv_.notify_all();
}

void FakeClock::Set(TimePoint t) {
  {
    std::lock_guard lock(mu_);
    now_ = t;
  }
  cv_.notify_all();
}

}  // namespace honeyvt
