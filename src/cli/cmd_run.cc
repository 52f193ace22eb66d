// honeyvt run [--until-drained]
#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/ownership.h"
#include "cli/service_notify.h"
#include "cli/signals.h"
#include "core/logging.h"
#include "fleet/service.h"
#include "ingest/follow.h"
#include "pipeline/process.h"
#include "pipeline/service.h"
#include "vt/factory.h"
#include "web/app.h"

namespace honeyvt::cli {
namespace {

int ExitStatusOf(pipeline::RunFailure failure) {
  switch (failure) {
    case pipeline::RunFailure::kConfig:
      return kExitUsage;
    case pipeline::RunFailure::kKeyRejected:
      return kExitKeyRejected;
    case pipeline::RunFailure::kLocked:
      return kExitLocked;
    case pipeline::RunFailure::kDatabase:
      return kExitDatabase;
    case pipeline::RunFailure::kRuntime:
      break;
  }
  return kExitFailure;
}

// Whether a reload changes what the followers watch or how.
bool FollowingChanged(const Options& a, const Options& b) {
  return a.binaries != b.binaries || a.watch != b.watch ||
         a.follow_poll_interval != b.follow_poll_interval ||
         a.follow_file_grace != b.follow_file_grace ||
         a.follow_rescan_interval != b.follow_rescan_interval;
}

}  // namespace

int RunMain(const Invocation& inv) {
  CLI::App app(
      "The daemon: works through the queue (lookup -> upload -> poll -> store -> comment) "
      "within the configured quota and writes every verdict into dionaea's logsql database "
      "(virustotals / virustotalscans, plus honeyvt_reports). Runs until SIGTERM or SIGINT, "
      "which abandon or finish the step in flight (an upload is cancelled and repeated at "
      "the next start) and exit within seconds. SIGHUP reloads the configuration (quota, "
      "upload and comment policy, log level, watched directories); an invalid one is "
      "refused and the running one kept. Only one run per state database. Under systemd "
      "(Type=notify) it reports READY, STATUS and WATCHDOG. The API key comes from "
      "$HONEYVT_API_KEY or api_key_file; it is never printed.\n\n"
      "Exit status: 0 stopped by a signal or drained; 1 runtime error (a restart may "
      "help); 2 usage or configuration error; 3 VirusTotal rejected the API key (every "
      "job is kept); 4 another honeyvt run holds the state database; 5 a database cannot "
      "be opened or used (missing, unreadable, damaged, newer schema, disk full).\n\n"
      "With fleet_dsn (or state = \"postgresql://...\") configured it joins that fleet as a "
      "worker of this sensor (`sensor`, default the host name) and shares the queue and "
      "the key's quota with every other sensor (docs/fleet.md). A fleet worker exits 1 when "
      "the fleet database is unreachable at start (it waits for it once running), 2 on a "
      "bad DSN, 3 when VirusTotal rejects the key and 5 when the fleet database refuses "
      "it (login, missing rights, missing or newer schema); it does not serve the "
      "dashboard and does not reload on SIGHUP (restart it instead).",
      inv.program);
  CommonFlags common;
  AddCommonFlags(app, common);
  bool until_drained = false;
  int idle_recheck = 10;
  int first_poll = 0;
  int poll_min = 0;
  int backoff_base = 0;
  std::uint64_t seed = 0;
  app.add_flag("--until-drained", until_drained,
               "exit 0 once no sample waits for a lookup, upload, comment or poll (cron, "
               "demo); samples parked for a later re-lookup do not count");
  app.add_option("--idle-recheck", idle_recheck,
                 "seconds between queue checks while idle, for samples queued by other "
                 "processes (default 10)");
  app.add_option("--first-poll", first_poll,
                 "seconds from upload to the first poll until analysis times have been "
                 "learnt (default 180; for fast test servers)");
  app.add_option("--poll-min", poll_min, "shortest poll interval in seconds (default 15)");
  app.add_option("--backoff-base", backoff_base,
                 "first retry delay after a transient error, seconds (default 30)");
  app.add_option("--seed", seed, "seed of the retry jitter (default: from the clock)");
  bool no_follow = false;
  app.add_flag("--no-follow", no_follow,
               "do not follow dionaea's logsql downloads and the sample directories (binaries, "
               "watch) while running; only work through what is queued (docs/dionaea.md)");
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  auto options = ResolveOptions(common);
  if (!options) {
    PrintError(options.error().message);
    return kExitUsage;
  }
  if (Status owner = CheckStateOwner(options->StatePath(), inv.program, inv.args); !owner) {
    PrintError(owner.error().message);
    return kExitUsage;
  }
  // The key stays in memory for months: no core file, no /proc/PID/mem for others.
  if (Status st = pipeline::MakeUndumpable(); !st) {
    PrintError(st.error().message);
    return kExitFailure;
  }
  StopOnSignals signals;
  SystemClock clock;
  ServiceNotifier notifier(ProcessEnvironment(), clock);
  // A fleet worker's queue and request ledger are in PostgreSQL (`honeyvt status --fleet`);
  // the dashboard, /metrics and their request log read the single-host state database, so
  // a fleet worker records no request log there and serves no dashboard.
  const bool in_fleet = !options->FleetDsn().empty();
  if (in_fleet && !options->web.empty()) {
    PrintError(
        "web: the dashboard shows a single host's state database; a fleet worker does "
        "not serve it (remove `web`; see `honeyvt status --fleet`, docs/fleet.md)");
    return kExitUsage;
  }
  std::optional<pipeline::RequestLog> request_log;  // every request, for the dashboard
  if (!in_fleet) request_log.emplace(options->StatePath());
  // A long upload is a sign of life too (the daemon's loop waits for it).
  auto client = vt::MakeClient(*options, request_log ? &*request_log : nullptr, &clock,
                               signals.token(), [&notifier] { notifier.Watchdog(); });
  if (!client) {
    PrintError(client.error().message);
    return kExitUsage;
  }
  auto dashboard = web::StartInDaemon(*options, clock);  // null unless `web` is set
  if (!dashboard) {
    PrintError(dashboard.error().message);
    return kExitUsage;
  }
  pipeline::RunRequest request;
  request.daemon.until_drained = until_drained;
  request.daemon.idle_recheck = std::chrono::seconds(std::max(1, idle_recheck));
  if (notifier.active()) {
    Duration beat = std::chrono::seconds(15);
    if (auto wd = notifier.watchdog_interval()) {
      beat = std::min<Duration>(beat, std::chrono::duration_cast<Duration>(*wd));
    }
    request.daemon.heartbeat_interval = beat;
    request.daemon.heartbeat = [&notifier](const pipeline::QueueSummary& s) {
      notifier.Status(pipeline::StatusLine(s));
    };
  }
  if (first_poll > 0) request.first_poll = std::chrono::seconds(first_poll);
  if (poll_min > 0) request.poll_min = std::chrono::seconds(poll_min);
  if (backoff_base > 0) request.backoff_base = std::chrono::seconds(backoff_base);
  request.seed = seed;
  if (in_fleet) {
    // One worker of a fleet: the shared PostgreSQL queue and quota (docs/fleet.md).
    request.attach = [&](pipeline::Daemon&) { notifier.Ready("started (fleet worker)"); };
    request.detach = [&](pipeline::Daemon&) { notifier.Stopping(); };
    pipeline::RunFailure failure = pipeline::RunFailure::kRuntime;
    Status st =
        fleet::RunFleet(*options, **client, clock, request, !no_follow, signals.token(), &failure);
    if (!st) {
      spdlog::error("{}", st.error().message);
      return ExitStatusOf(failure);
    }
    if (signals.received() != 0) spdlog::info("stopped by signal {}", signals.received());
    return kExitOk;
  }
  if (*dashboard) request.instruments = (*dashboard)->instruments();
  request.waiting = [&notifier](std::string_view line) {
    notifier.ExtendTimeout(std::chrono::seconds(90), line);
  };
  Options running = *options;
  std::unique_ptr<ingest::Following> following;  // new downloads and files, while we run
  request.attach = [&](pipeline::Daemon& daemon) {
    signals.OnReload([&daemon] { daemon.RequestReload(); });
    notifier.Ready("started");
    // A cron run must see everything captured so far before it can call itself drained;
    // a service starts working at once and lets the follower catch up on its thread.
    if (!no_follow) following = ingest::FollowInBackground(running, clock, until_drained);
  };
  request.detach = [&](pipeline::Daemon&) {
    signals.OnReload({});
    notifier.Stopping();
  };
  request.reload = [&]() -> Result<Options> {
    spdlog::info("reloading the configuration (SIGHUP)");
    return LoadOptions(common);
  };
  request.reloaded = [&](const Options& next) {
    if (Status st = ConfigureLogging(next.log_level); !st) spdlog::error("{}", st.error().message);
    if (!no_follow && FollowingChanged(running, next)) {
      following.reset();  // stops and joins the followers first
      following = ingest::FollowInBackground(next, clock, false);
    }
    running = next;
  };
  pipeline::RunFailure failure = pipeline::RunFailure::kRuntime;
  Status st = pipeline::RunPipeline(*options, **client, clock, request, signals.token(), &failure);
  following.reset();
  if (!st) {
    // Through the logger, so that under systemd it carries its priority (journalctl -p err).
    spdlog::error("{}", st.error().message);
    return ExitStatusOf(failure);
  }
  if (signals.received() != 0) spdlog::info("stopped by signal {}", signals.received());
  return kExitOk;
}

}  // namespace honeyvt::cli
