#pragma once
// The fleet's one time: the database server's clock, seen from this worker. Workers'
// clocks differ (one may be ten minutes off); every time a worker writes into the shared
// queue (due times, upload times) and every time it compares with them must come from
// the same clock, so a fleet worker's pipeline runs on a DbClock: the local clock plus an
// offset measured against the database (Calibrate, on every heartbeat). Quota decisions
// never use it: the database reads its own clock after taking the key lock.
//
// Thread-safe: the session thread calibrates while the daemon thread reads.

#include <atomic>

#include "core/clock.h"

namespace honeyvt::fleet {

class DbClock final : public Clock {
 public:
  explicit DbClock(Clock& local) : local_(&local) {}
  TimePoint Now() const override { return local_->Now() + Offset(); }
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override {
    return local_->SleepUntil(deadline - Offset(), stop);
  }
  // `db_time` was read by a query sent at local time `sent` and answered at `received`:
  // the database's clock is assumed to have read it half way.
  void Calibrate(TimePoint db_time, TimePoint sent, TimePoint received);
  Duration Offset() const { return Duration(offset_.load(std::memory_order_relaxed)); }
  Clock& local() { return *local_; }

 private:
  Clock* local_;
  std::atomic<Duration::rep> offset_{0};
};

}  // namespace honeyvt::fleet
