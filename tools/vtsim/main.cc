// vtsim: runs the VirusTotal simulator as a process until SIGINT or SIGTERM.
// The first line on stdout is "vtsim listening on http://HOST:PORT".

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/strings.h"
#include "tools/vtsim/server.h"

namespace {

constexpr const char* kDescription =
    "vtsim: a loopback VirusTotal simulator (API v3 under /api/v3/, v2 under /vtapi/v2/) "
    "for tests, the demo and benchmarks. It serves VirusTotal's URLs, headers, JSON shapes, "
    "status codes, per-key quotas and analysis timing; it knows the EICAR file, a catalogue "
    "you give it, and invents deterministic verdicts for unknown uploads. Control and "
    "inspection endpoints: GET /_sim/health, GET /_sim/log, GET|POST /_sim/faults, "
    "POST /_sim/reset, POST /_sim/advance?seconds=N. See docs/vtsim.md.";

}  // namespace

int main(int argc, char** argv) {
  using honeyvt::vtsim::SimOptions;
  SimOptions o;
  std::string keys, batch_cost = "request";
  CLI::App app(kDescription, "vtsim");
  app.add_option("--host", o.host, "listen address")->capture_default_str();
  app.add_option("--port", o.port, "TCP port; 0 picks a free one (printed on the first line)")
      ->capture_default_str();
  app.add_option("--keys", keys,
                 "comma-separated API keys to accept (also env VTSIM_KEYS); without any, every "
                 "non-empty key is accepted. These are simulator keys, never real ones");
  app.add_option("--catalogue", o.catalogues,
                 "known samples: a JSON file or a directory of *.json (repeatable); EICAR is "
                 "always known");
  app.add_option("--quota", o.quota,
                 "per-key quota windows <requests>/<n><unit>, unit s|m|h (sliding), 1d (UTC "
                 "day), 1mo (UTC month); 'none' = unlimited; e.g. 10/2s")
      ->capture_default_str();
  app.add_option("--analysis-delay", o.analysis_delay_seconds,
                 "simulated seconds from upload/rescan to completed (queued, then in-progress "
                 "for the second half)")
      ->capture_default_str();
  app.add_option("--analysis-delay-max", o.analysis_delay_max_seconds,
                 "if above --analysis-delay: each file's analysis takes between the two, "
                 "uniform over its sha256 (min + first 8 hex digits mod (max - min + 1) s)");
  app.add_option("--time-factor", o.time_factor,
                 "simulated time runs N times faster than real time (analyses, quota windows)")
      ->capture_default_str();
  app.add_option("--fault", o.faults,
                 "fault spec KIND[=MS][@FRACTION][/PATH-PREFIX], KIND one of 500 502 503 504 429 "
                 "reset stall truncate nonjson wrongtype slow never-complete (repeatable)");
  app.add_option("--fault-seq", o.fault_sequence,
                 "scripted faults for the next API requests in order, e.g. 503,ok,reset");
  app.add_option("--fault-seed", o.fault_seed, "seed of the fault dice")->capture_default_str();
  app.add_option("--max-upload", o.max_upload, "byte limit of the one-time upload URL")
      ->capture_default_str();
  app.add_option("--max-direct-upload", o.max_direct_upload,
                 "byte limit of POST /api/v3/files and v2 file/scan (413 above)")
      ->capture_default_str();
  app.add_option("--v2-batch-limit", o.v2_batch_limit,
                 "most resources in one v2 file/report (4 public, 25 private; 400 above)")
      ->capture_default_str();
  app.add_option("--v2-batch-cost", batch_cost,
                 "what a v2 batch costs: 'request' (1) or 'item' (one per resource)")
      ->check(CLI::IsMember({"request", "item"}))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "HTTP worker threads")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (keys.empty()) {
    if (const char* env = std::getenv("VTSIM_KEYS")) keys = env;
  }
  for (const std::string& k : honeyvt::Split(keys, ',')) {
    if (!honeyvt::Trim(k).empty()) o.keys.push_back(honeyvt::Trim(k));
  }
  o.v2_batch_cost_per_item = batch_cost == "item";

  // Block the stop signals before any thread starts, so only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = honeyvt::vtsim::Server::Start(o);
  if (!server) {
    std::cerr << "vtsim: " << server.error().message << "\n";
    return 1;
  }
  std::cout << "vtsim listening on " << (*server)->base_url() << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*server)->Stop();
  return 0;
}
