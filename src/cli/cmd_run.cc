// honeyvt run [--until-drained]
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/signals.h"
#include "ingest/follow.h"
#include "pipeline/process.h"
#include "pipeline/service.h"
#include "vt/factory.h"
#include "web/app.h"

namespace honeyvt::cli {

int RunMain(const Invocation& inv) {
  CLI::App app(
      "The daemon: works through the queue (lookup -> upload -> poll -> store -> comment) "
      "within the configured quota and writes every verdict into dionaea's logsql database "
      "(virustotals / virustotalscans, plus honeyvt_reports). Runs until SIGTERM or SIGINT, "
      "which finish or release the step in flight and exit 0. Only one run per state "
      "database. The API key comes from $HONEYVT_API_KEY or api_key_file; it is never "
      "printed. Exit status 1 if VirusTotal rejects the key (every job is kept).",
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
  // The key stays in memory for months: no core file, no /proc/PID/mem for others.
  if (Status st = pipeline::MakeUndumpable(); !st) {
    PrintError(st.error().message);
    return kExitFailure;
  }
  SystemClock clock;
  pipeline::RequestLog request_log(options->StatePath());  // every request, for the dashboard
  auto client = vt::MakeClient(*options, &request_log, &clock);
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
  if (first_poll > 0) request.first_poll = std::chrono::seconds(first_poll);
  if (poll_min > 0) request.poll_min = std::chrono::seconds(poll_min);
  if (backoff_base > 0) request.backoff_base = std::chrono::seconds(backoff_base);
  request.seed = seed;
  if (*dashboard) request.instruments = (*dashboard)->instruments();
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
