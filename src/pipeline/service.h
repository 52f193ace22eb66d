#pragma once
// Wiring for `honeyvt run`: takes the one-daemon lock, opens the state and logsql
// databases (waiting while another process, e.g. dionaea, holds logsql's lock), reclaims
// leases of dead runs, loads the quota log and learned durations, and runs the daemon
// until stopped or drained. Applies configuration reloads between steps. The VirusTotal
// client and the clock are injected.

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string_view>

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
  // Called with the daemon just before it runs (on the calling thread), once the queue
  // and both databases are open, e.g. to start an in-process producer that calls
  // Daemon::Wake() after enqueueing, or to tell systemd we are ready. May be empty.
  std::function<void(Daemon&)> attach;
  // Called with the daemon once it has stopped, before it is destroyed (if attach was).
  std::function<void(Daemon&)> detach;
  // A reload (Daemon::RequestReload, SIGHUP): `reload` returns the new configuration or
  // why it is refused (the running one is kept). Quota windows, upload and comment
  // policy, sizes and refresh settings are applied by the pipeline; `reloaded` is then
  // called with it for the rest (log level, followed directories). Keys that only a
  // restart can change (paths, API version, URL, key, TLS and proxy settings) are
  // reported and ignored. Both may be empty.
  std::function<Result<Options>()> reload;
  std::function<void(const Options&)> reloaded;
  // Called while start-up waits for a database lock, with a short status line.
  std::function<void(std::string_view)> waiting;
  // In-process metrics for /metrics (the web module registers them); nulls = none.
  Instruments instruments;
};

// Why RunPipeline returned an error (the CLI's exit status: docs/pipeline.md).
enum class RunFailure {
  kRuntime,      // anything else; a restart may help
  kConfig,       // the configuration is unusable (e.g. a bad quota window)
  kKeyRejected,  // VirusTotal rejected the API key
  kLocked,       // another daemon holds the state database
  kDatabase,     // the state or logsql database cannot be opened or used
};

// Runs until `stop` or, with until_drained, until the queue is drained; OK either way.
// On error, `*failure` (if given) says which kind.
Status RunPipeline(const Options& options, vt::Client& client, Clock& clock,
                   const RunRequest& request, std::stop_token stop, RunFailure* failure = nullptr);

}  // namespace honeyvt::pipeline
