#pragma once
// The daemon loop: runs Engine steps while work is due and the quota allows, and
// otherwise sleeps (on the injected Clock, interruptible by the stop token) exactly until
// the next due action or quota opening, re-checking the queue at least every
// `idle_recheck` for jobs enqueued by other processes. Wake() cuts a sleep short (for
// in-process producers). No busy polling: an idle daemon makes one indexed query per
// idle_recheck.
//
// Thread safety: Run on one thread; Wake may be called from any thread.

#include <chrono>
#include <mutex>
#include <stop_token>

#include "core/clock.h"
#include "domain/job_store.h"
#include "pipeline/engine.h"
#include "pipeline/quota_gate.h"

namespace honeyvt::pipeline {

struct DaemonOptions {
  bool until_drained = false;  // return once no job is in lookup/upload/comment/poll
  Duration idle_recheck = std::chrono::seconds(10);
};

class Daemon {
 public:
  Daemon(Engine& engine, domain::JobStore& jobs, QuotaGate& quota, Clock& clock,
         DaemonOptions options)
      : engine_(&engine), jobs_(&jobs), quota_(&quota), clock_(&clock), options_(options) {}

  // Returns OK when stopped or drained; an error for a fatal condition (kAuthFailed, a
  // broken state database). The in-flight step is always finished or released first.
  Status Run(std::stop_token stop);
  void Wake();

  // Steps taken and sleeps made so far (for tests and benchmarks).
  std::int64_t steps() const { return steps_; }
  std::int64_t sleeps() const { return sleeps_; }

 private:
  // Sleeps until `deadline`, a Wake() or stop. False if stopped.
  bool Sleep(TimePoint deadline, std::stop_token stop);

  Engine* engine_;
  domain::JobStore* jobs_;
  QuotaGate* quota_;
  Clock* clock_;
  DaemonOptions options_;
  std::mutex wake_mu_;
  std::stop_source wake_;  // guarded by wake_mu_
  TimePoint announced_{};  // the quota opening last logged
  std::int64_t steps_ = 0;
  std::int64_t sleeps_ = 0;
};

}  // namespace honeyvt::pipeline
