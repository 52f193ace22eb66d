#pragma once
// Time as an injected dependency. Library code never calls system_clock::now() or
// sleep_for directly; it asks a Clock. Production passes SystemClock, tests a FakeClock
// they advance by hand, simulations a FakeClock that jumps ahead whenever code sleeps.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace honeyvt {

using WallClock = std::chrono::system_clock;
using TimePoint = WallClock::time_point;
using Duration = WallClock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall-clock time (UTC based; quota windows reset on UTC days).
  virtual TimePoint Now() const = 0;
  // Blocks until `deadline` or until `stop` is requested. Returns false if stopped.
  virtual bool SleepUntil(TimePoint deadline, std::stop_token stop) = 0;

  bool SleepFor(Duration d, std::stop_token stop) { return SleepUntil(Now() + d, stop); }
};

// The real clock; sleeps are interruptible through the stop token.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return WallClock::now(); }
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override;
};

// A clock that only moves when told to. In `auto_advance` mode SleepUntil jumps the
// clock to the deadline immediately (discrete-event simulation); otherwise it blocks
// until another thread advances the clock past the deadline or stop is requested.
// Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start, bool auto_advance = true)
      : now_(start), auto_advance_(auto_advance) {}
  TimePoint Now() const override;
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override;
  void Advance(Duration d);
  void Set(TimePoint t);

 private:
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  TimePoint now_;  // guarded by mu_
  const bool auto_advance_;
};

// Unix seconds <-> TimePoint helpers.
inline double ToUnixSeconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}
inline std::int64_t ToUnixSecondsInt(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline TimePoint FromUnixSeconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }
inline TimePoint FromUnixSeconds(double s) {
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)));
}

}  // namespace honeyvt
