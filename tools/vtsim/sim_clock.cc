#include "tools/vtsim/sim_clock.h"

namespace honeyvt::vtsim {

SimClock::SimClock(Clock& base, double factor)
    : base_(base), factor_(factor > 0 ? factor : 1.0), base_anchor_(base.Now()) {}

TimePoint SimClock::Now() const {
  const Duration real_elapsed = base_.Now() - base_anchor_;
  const auto scaled = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, Duration::period>(static_cast<double>(real_elapsed.count()) *
                                                      factor_));
  std::lock_guard lock(mu_);
  return base_anchor_ + scaled + offset_;
}

void SimClock::Advance(Duration d) {
  if (d <= Duration::zero()) return;
  std::lock_guard lock(mu_);
  offset_ += d;
}

}  // namespace honeyvt::vtsim
