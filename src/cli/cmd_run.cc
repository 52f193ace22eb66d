// honeyvt run [--until-drained]
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/signals.h"
#include "fleet/service.h"
#include "ingest/follow.h"
#include "pipeline/service.h"
#include "vt/factory.h"

namespace honeyvt::cli {

int RunMain(const Invocation& inv) {
  CLI::App app(
      "The daemon: works through the queue (lookup -> upload -> poll -> store -> comment) "
      "within the configured quota and writes every verdict into dionaea's logsql database "
      "(virustotals / virustotalscans, plus honeyvt_reports). Runs until SIGTERM or SIGINT, "
      "which finish or release the step in flight and exit 0. Only one run per state "
      "database. The API key comes from $HONEYVT_API_KEY or api_key_file; it is never "
      "printed. Exit status 1 if VirusTotal rejects the key (every job is kept). With "
      "fleet_dsn (or state = \"postgresql://...\") configured it joins that fleet as a "
      "worker of this sensor (`sensor`, default the host name) and shares the queue and "
      "the key's quota with every other sensor (docs/fleet.md).",
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
  auto client = vt::MakeClient(*options);
  if (!client) {
    PrintError(client.error().message);
    return kExitUsage;
  }
  pipeline::RunRequest request;
  request.daemon.until_drained = until_drained;
  request.daemon.idle_recheck = std::chrono::seconds(std::max(1, idle_recheck));
  if (first_poll > 0) request.first_poll = std::chrono::seconds(first_poll);
  if (poll_min > 0) request.poll_min = std::chrono::seconds(poll_min);
  if (backoff_base > 0) request.backoff_base = std::chrono::seconds(backoff_base);
  request.seed = seed;
  SystemClock clock;
  if (!options->FleetDsn().empty()) {
    // One worker of a fleet: the shared PostgreSQL queue and quota (docs/fleet.md).
    StopOnSignals signals;
    Status st = fleet::RunFleet(*options, **client, clock, request, !no_follow, signals.token());
    if (!st) {
      PrintError(st.error().message);
      return kExitFailure;
    }
    if (signals.received() != 0) spdlog::info("stopped by signal {}", signals.received());
    return kExitOk;
  }
  std::unique_ptr<ingest::Following> following;  // new downloads and files, while we run
  if (!no_follow) {
    request.attach = [&](pipeline::Daemon&) {
      following = ingest::FollowInBackground(*options, clock);
    };
  }
  StopOnSignals signals;
  Status st = pipeline::RunPipeline(*options, **client, clock, request, signals.token());
  if (!st) {
    PrintError(st.error().message);
    return kExitFailure;
  }
  if (signals.received() != 0) spdlog::info("stopped by signal {}", signals.received());
  return kExitOk;
}

}  // namespace honeyvt::cli
