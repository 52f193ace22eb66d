#pragma once
// Wiring for `honeyvt run`: opens the state and logsql databases, takes the one-daemon
// lock, reclaims leases of dead runs, loads the quota log and learned durations, and runs
// the daemon until stopped or drained. The VirusTotal client and the clock are injected.

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>

#include "core/clock.h"
#include "core/options.h"
#include "pipeline/config.h"
#include "pipeline/daemon.h"
#include "pipeline/journal.h"
#include "vt/client.h"

namespace honeyvt::pipeline {

struct RunRequest {
  DaemonOptions daemon;
  // Overrides of PipelineConfig timings (tests, demo and simulations with fast servers).
  std::optional<std::chrono::seconds> first_poll;
  std::optional<std::chrono::seconds> poll_min;
  std::optional<std::chrono::seconds> backoff_base;
  std::uint64_t seed = 0;  // backoff jitter; 0 = from the clock
  // Called with the daemon just before it runs (on the calling thread), e.g. to start an
  // in-process producer that calls Daemon::Wake() after enqueueing. May be empty.
  std::function<void(Daemon&)> attach;
  // In-process metrics for /metrics (the web module registers them); nulls = none.
  Instruments instruments;
};

Status RunPipeline(const Options& options, vt::Client& client, Clock& clock,
                   const RunRequest& request, std::stop_token stop);

}  // namespace honeyvt::pipeline
