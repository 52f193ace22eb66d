#pragma once
// The dashboard as a whole: the HTTP server, its routes and JSON API, /metrics, and the
// rollup updater that keeps the dashboard's aggregates of dionaea's logsql current.
// `honeyvt run` starts one beside the daemon when `web` is configured; `honeyvt web`
// runs one alone (e.g. on a copy of the databases).
//
//   auto app = web::WebApp::Start(config, clock);  // binds, or refuses (see Start)
//   std::cout << (*app)->url();                       // "http://127.0.0.1:8787/"
//   // ~WebApp stops the server and the updater.
//
// Thread-safe; the server answers on its own threads.

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/options.h"
#include "core/result.h"
#include "pipeline/journal.h"

namespace honeyvt::web {

struct WebConfig {
  Options options;         // logsql, state, quota, api_version, base_url, web_* keys
  std::string listen;      // "HOST:PORT" (port 0 = a free one)
  bool in_daemon = false;  // served by `honeyvt run`
  bool follow = true;      // run the rollup updater (tests may drive it by hand)
};

class WebApp {
 public:
  // Refuses to start (kInvalidArgument) on a non-loopback address without
  // `web_token_file`, and when the token file may be read by others (kForbidden). A
  // missing state database is created unless it cannot be written, in which case the
  // dashboard runs read-only (no actions; rollups in a private temporary file).
  static Result<std::unique_ptr<WebApp>> Start(const WebConfig& config, Clock& clock);
  ~WebApp();
  WebApp(const WebApp&) = delete;
  WebApp& operator=(const WebApp&) = delete;

  int port() const;
  std::string url() const;  // "http://HOST:PORT/"
  std::filesystem::path token_file() const;
  // Runs one pass of the rollup updater now (tests); returns the logsql rows read.
  Result<std::int64_t> UpdateRollups();
  // Metrics the daemon records in-process (quota waits, logsql write latency).
  pipeline::Instruments instruments() const;

  struct Impl;

 private:
  explicit WebApp(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// For `honeyvt run`: the dashboard on `options.web`, or null when it is not set.
Result<std::unique_ptr<WebApp>> StartInDaemon(const Options& options, Clock& clock);

}  // namespace honeyvt::web
