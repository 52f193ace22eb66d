// honeyvt web: the dashboard and /metrics on their own, for a host where only the
// databases are (e.g. a read-only copy). `honeyvt run` serves the same when `web` is set.
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/ownership.h"
#include "cli/signals.h"
#include "web/app.h"

namespace honeyvt::cli {

int WebMain(const Invocation& inv) {
  CLI::App app(
      "Serve the dashboard (overview, samples, attacks and their trees, queue, quota, "
      "reports; JSON under /api/v1) and Prometheus metrics (/metrics) from the logsql and "
      "state databases, without running the pipeline. `honeyvt run` serves the same when "
      "the config key `web` is set. Listens on 127.0.0.1:8787 unless --listen or `web` say "
      "otherwise; a non-loopback address needs web_token_file (every page then needs a "
      "login). Actions (retry, refresh, skip) need a login with the token in the token file "
      "(default: <state>.web-token, created mode 0600). Prints the URL on the first line of "
      "stdout and serves until SIGTERM or SIGINT. See docs/web.md.",
      inv.program);
  CommonFlags common;
  AddCommonFlags(app, common);
  std::string listen;
  app.add_option("--listen", listen,
                 "HOST:PORT to listen on (default: config key `web`, else 127.0.0.1:8787; port 0 "
                 "= a free port)");
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  auto options = ResolveOptions(common);
  if (!options) {
    PrintError(options.error().message);
    return kExitUsage;
  }
  // It writes rollups and a token file beside the state database: the root trap applies.
  if (Status owner = CheckStateOwner(options->StatePath(), inv.program, inv.args); !owner) {
    PrintError(owner.error().message);
    return kExitUsage;
  }
  web::WebConfig config;
  config.options = *options;
  config.listen = !listen.empty()         ? listen
                  : !options->web.empty() ? options->web
                                          : "127.0.0.1:8787";
  StopOnSignals signals;
  SystemClock clock;
  auto started = web::WebApp::Start(config, clock);
  if (!started) {
    PrintError(started.error().message);
    return started.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::cout << "honeyvt web listening on " << (*started)->url() << std::endl;
  spdlog::info("web: access token in {} (log in to act)", (*started)->token_file().string());
  while (clock.SleepFor(std::chrono::hours(24), signals.token())) {
  }
  spdlog::info("web: stopped by signal {}", signals.received());
  return kExitOk;
}

}  // namespace honeyvt::cli
