#pragma once
// The simulator's notion of time. It runs `factor` times faster than an injected base
// clock, starting from the base clock's time at construction, plus a manual offset that
// the control endpoint (/_sim/advance) and tests can add. Analyses and quota windows use
// this clock; real waits (slow and stalled responses) use the base clock.
// Thread-safe.

#include <atomic>
#include <mutex>

#include "core/clock.h"

namespace honeyvt::vtsim {

class SimClock {
 public:
  // `base` must outlive this object. factor must be > 0.
  SimClock(Clock& base, double factor);

  TimePoint Now() const;
  std::int64_t NowUnix() const { return ToUnixSecondsInt(Now()); }
  // Moves simulated time forward by `d` (never backwards).
  void Advance(Duration d);
  double factor() const { return factor_; }
  Clock& base() const { return base_; }

 private:
  Clock& base_;
  const double factor_;
  const TimePoint base_anchor_;
  mutable std::mutex mu_;
  Duration offset_{};  // guarded by mu_
};

}  // namespace honeyvt::vtsim
