#pragma once
// The daemon loop: runs Engine steps while work is due and the quota allows, and
// otherwise sleeps (on the injected Clock, interruptible by the stop token) exactly until
// the next due action or quota opening, re-checking the queue at least every
// `idle_recheck` for jobs enqueued by other processes. Wake() cuts a sleep short (for
// in-process producers). No busy polling: an idle daemon makes one indexed query per
// idle_recheck.
//
// Service hooks (all optional, all called on the Run thread): `reload` runs between two
// steps after RequestReload() (SIGHUP), so a new configuration never lands in the middle
// of a step; `heartbeat` gets a QueueSummary at least every `heartbeat_interval` (sleeps
// are cut to it), which `honeyvt run` turns into systemd's WATCHDOG=1 and STATUS=.
//
// Thread safety: Run on one thread; Wake and RequestReload may be called from any thread.

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "domain/job_store.h"
#include "pipeline/engine.h"
#include "pipeline/quota.h"

namespace honeyvt::pipeline {

// What the daemon is doing, for a one-line status (systemd's STATUS=).
struct QueueSummary {
  std::vector<domain::StateCount> active;  // lookup, upload, comment, poll, relookup (capped)
  std::int64_t cap = 0;                    // counts at the cap mean "at least"
  TimePoint now{};
  TimePoint quota_opens{};  // <= now: a request may go now
};

// "12 to look up, 3 to upload, 2 polling, 1 to comment, 40 parked; quota used up, next
// request in 35 s" (states with no job left out; "queue empty" when nothing is active).
std::string StatusLine(const QueueSummary& summary);

struct DaemonOptions {
  bool until_drained = false;  // return once no job is in lookup/upload/comment/poll
  Duration idle_recheck = std::chrono::seconds(10);
  // Seconds slept while work was due but the quota was closed (/metrics); may be null.
  Counter* quota_wait_seconds = nullptr;
  // Called with the queue summary at least this often while the daemon runs (0: never).
  Duration heartbeat_interval{0};
  std::function<void(const QueueSummary&)> heartbeat{};
  // Called between steps after RequestReload().
  std::function<void()> reload{};
};

class Daemon {
 public:
  Daemon(Engine& engine, domain::JobStore& jobs, QuotaGovernor& quota, Clock& clock,
         DaemonOptions options)
      : engine_(&engine), jobs_(&jobs), quota_(&quota), clock_(&clock), options_(options) {}

  // Returns OK when stopped or drained; an error for a fatal condition (kAuthFailed, a
  // broken state database). The in-flight step is always finished or released first.
  Status Run(std::stop_token stop);
  void Wake();
  // Asks the loop to call options.reload before its next step (and wakes it).
  void RequestReload();

  // Steps taken and sleeps made so far (for tests and benchmarks).
  std::int64_t steps() const { return steps_; }
  std::int64_t sleeps() const { return sleeps_; }

 private:
  // Sleeps until `deadline`, a Wake() or stop. False if stopped.
  bool Sleep(TimePoint deadline, std::stop_token stop);
  // Calls the heartbeat when it is due; returns when the next one is due.
  Result<TimePoint> Heartbeat(TimePoint now);

  Engine* engine_;
  domain::JobStore* jobs_;
  QuotaGovernor* quota_;
  Clock* clock_;
  DaemonOptions options_;
  std::mutex wake_mu_;
  std::stop_source wake_;  // guarded by wake_mu_
  TimePoint announced_{};  // the quota opening last logged
  TimePoint next_heartbeat_{};
  std::atomic<bool> reload_requested_{false};
  std::int64_t steps_ = 0;
  std::int64_t sleeps_ = 0;
};

}  // namespace honeyvt::pipeline
