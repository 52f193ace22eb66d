#pragma once
// A fleet worker's life line, on its own thread and its own database session:
//  * holds the worker's session advisory lock (other workers know this process is gone
//    the moment its session ends: kill -9, OOM);
//  * heartbeats every `heartbeat`, and sweeps: reclaims the jobs of workers whose
//    heartbeat is older than 3 heartbeats AND whose lock is free, and of expired leases;
//  * measures the database clock for the worker's DbClock;
//  * LISTENs for new work, uploads for holders, quota blocks and new verdicts, and wakes
//    the daemon (notifications are hints: the daemon also polls, so a lost one costs
//    latency, never correctness);
//  * keeps the sensor's local logsql mirror in step.
// When the database is unreachable it retries with a growing pause (up to 30 s),
// reconnects, takes its lock again, re-LISTENs and wakes the daemon once.

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "fleet/db_clock.h"
#include "fleet/mirror.h"
#include "store/pg/fleet_db.h"

namespace honeyvt::fleet {

struct SessionOptions {
  std::chrono::milliseconds heartbeat{10000};
  int crash_limit = 3;  // reclaims before a sample fails
  bool mirror = true;
};

struct SessionHooks {
  std::function<void()> wake;           // new work, a lifted block, a reconnect
  std::function<void()> quota_changed;  // a block was set or lifted
};

class Session {
 public:
  // Takes the worker's lock on `db` (its own connection, registered identity adopted)
  // and starts the thread.
  static Result<std::unique_ptr<Session>> Start(pg::FleetDb db, DbClock& clock,
                                                std::filesystem::path logsql,
                                                SessionOptions options, SessionHooks hooks);
  ~Session();  // stops and joins
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  Session(pg::FleetDb db, DbClock& clock, std::filesystem::path logsql, SessionOptions options,
          SessionHooks hooks);
  void Run(std::stop_token stop);
  Status Tick(std::stop_token stop, bool mirror_now);
  Status Calibrate();

  pg::FleetDb db_;
  DbClock* clock_;
  SessionOptions options_;
  SessionHooks hooks_;
  Mirror mirror_;
  std::jthread thread_;  // last: joined before the rest is destroyed
};

}  // namespace honeyvt::fleet
