#pragma once
// vtsim's HTTP server: a loopback VirusTotal (API v3 and v2) for tests, the demo and
// benchmarks. Start() binds (port 0 = a free port), then serves on a std::jthread until
// Stop() or destruction. Usable in-process by tests of other modules:
//
//   SimOptions o;  o.keys = {"testkey"};  o.quota = "none";  o.analysis_delay_seconds = 0;
//   auto sim = vtsim::Server::Start(o);   // Result<std::unique_ptr<Server>>
//   std::string base = (*sim)->base_url();  // "http://127.0.0.1:PORT"
//
// Errors: kInvalidArgument for bad options (quota, faults), kNotFound/kCorrupt for a bad
// catalogue, kIo when the address cannot be bound. Thread-safe; Stop() is idempotent and
// ends slow or stalled responses early.

#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/result.h"
#include "tools/vtsim/sim_options.h"
#include "tools/vtsim/simulator.h"

namespace httplib {
class Server;
}

namespace honeyvt::vtsim {

struct HttpContext;

class Server {
 public:
  static Result<std::unique_ptr<Server>> Start(const SimOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  std::string base_url() const;
  Simulator& simulator() { return *sim_; }
  void Stop();

 private:
  Server() = default;

  std::unique_ptr<SystemClock> own_clock_;  // real waits; sim time when options.clock is null
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<HttpContext> ctx_;
  std::unique_ptr<httplib::Server> http_;
  std::stop_source stop_;
  std::string host_;
  int port_ = 0;
  std::jthread thread_;
};

}  // namespace honeyvt::vtsim
