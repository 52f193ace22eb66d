#pragma once
// The HTTP server of the dashboard (cpp-httplib, used in server.cc only): binds, serves a
// Router's routes on a small thread pool, and applies the Gate (security.h) and the
// security headers to every request. Bodies are capped (64 KiB), reads and writes time
// out (10 s), and at most `threads` requests run at once.
//
//   auto server = HttpServer::Start(address, router, gate_factory, metrics);
//   server->port();  // the bound port (address.port 0 = a free one)
//   server->Stop();  // idempotent; also on destruction
//
// Each request is counted in honeyvt_http_requests_total{handler,code} and timed in
// honeyvt_http_request_duration_seconds{handler}, the handler being the route template.

#include <functional>
#include <memory>
#include <thread>

#include "core/metrics.h"
#include "core/result.h"
#include "web/router.h"
#include "web/security.h"

namespace httplib {
class Server;
}

namespace honeyvt::web {

struct HttpMetrics {
  CounterFamily* requests = nullptr;    // {handler, code}
  HistogramFamily* duration = nullptr;  // {handler}
};

class HttpServer {
 public:
  // Binds `listen`; `make_gate` gets the bound port and returns the Gate to use.
  static Result<std::unique_ptr<HttpServer>> Start(
      const ListenAddress& listen, const Router& router,
      const std::function<std::unique_ptr<Gate>(int port)>& make_gate, HttpMetrics metrics,
      int threads = 8);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  Gate& gate() { return *gate_; }
  void Stop();

 private:
  HttpServer() = default;
  void Serve(const Request& request, Response& response) const;

  const Router* router_ = nullptr;
  std::unique_ptr<Gate> gate_;
  HttpMetrics metrics_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  std::jthread thread_;
};

// Registers the two families HttpServer fills, with every route at zero.
HttpMetrics RegisterHttpMetrics(MetricsRegistry& registry, const Router& router);

}  // namespace honeyvt::web
