#include "web/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>

namespace honeyvt::web {
namespace {

constexpr std::size_t kMaxBody = std::size_t{64} * 1024;

Request Convert(const httplib::Request& in) {
  Request r;
  r.method = in.method;
  r.path = in.path;
  for (const auto& [k, v] : in.params) r.query.emplace(k, v);
  for (const auto& [k, v] : in.headers) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(std::move(name), v);  // the first of repeated headers wins
  }
  r.body = in.body;
  r.remote_addr = in.remote_addr;
  return r;
}

// An answer with a shared part (a cached report, megabytes) is written straight from
// where it is kept: body, *shared, tail, in slices of at most 1 MB. Copying it into the
// reply instead cost 80-120 ms per ask on this machine, most of it faulting in fresh pages.
void SetSharedContent(Response response, httplib::Response& res) {
  const std::size_t total = response.Size();
  auto parts = std::make_shared<Response>(std::move(response));
  res.set_content_provider(
      total, parts->content_type,
      [parts](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        constexpr std::size_t kSlice = std::size_t{1} << 20;
        std::size_t at = offset;
        const std::array<const std::string*, 3> pieces = {&parts->body, parts->shared.get(),
                                                          &parts->tail};
        for (const std::string* piece : pieces) {
          if (at >= piece->size()) {
            at -= piece->size();
            continue;
          }
          return sink.write(piece->data() + at, std::min({piece->size() - at, length, kSlice}));
        }
        return false;  // past the end: httplib asked for more than the length it was given
      });
}

}  // namespace

HttpMetrics RegisterHttpMetrics(MetricsRegistry& registry, const Router& router) {
  HttpMetrics m;
  m.requests = &registry.AddCounter("honeyvt_http_requests_total",
                                    "Requests to the dashboard by route template and status.",
                                    {"handler", "code"});
  m.duration = &registry.AddHistogram("honeyvt_http_request_duration_seconds",
                                      "Time to answer a dashboard request, by route.", {"handler"},
                                      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
  for (const Route& r : router.routes()) {
    m.requests->With({r.pattern, "200"});
    m.duration->With({r.pattern});
  }
  for (const char* other : {"(none)"}) {
    m.requests->With({other, "404"});
    m.requests->With({other, "421"});
  }
  return m;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(
    const ListenAddress& listen, const Router& router,
    const std::function<std::unique_ptr<Gate>(int port)>& make_gate, HttpMetrics metrics,
    int threads) {
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->router_ = &router;
  s->metrics_ = metrics;
  s->http_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *s->http_;
  http.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(std::max(1, threads)));
  };
  http.set_payload_max_length(kMaxBody);
  http.set_read_timeout(10, 0);
  http.set_write_timeout(10, 0);
  http.set_keep_alive_timeout(2);
  http.set_keep_alive_max_count(100);
  const int port = listen.port == 0
                       ? http.bind_to_any_port(listen.host)
                       : (http.bind_to_port(listen.host, listen.port) ? listen.port : -1);
  if (port <= 0) {
    return MakeError(ErrorCode::kIo, "web: cannot listen on " + listen.host + ":" +
                                         std::to_string(listen.port) +
                                         " (address in use or not available)");
  }
  s->port_ = port;
  s->gate_ = make_gate(port);
  HttpServer* self = s.get();
  auto dispatch = [self](const httplib::Request& req, httplib::Response& res) {
    Request request = Convert(req);
    Response response;
    self->Serve(request, response);
    res.status = response.status;
    for (const auto& [k, v] : response.headers) res.set_header(k, v);
    if (request.method == "HEAD") {
      res.set_header("Content-Type", response.content_type);
    } else if (response.shared) {
      SetSharedContent(std::move(response), res);
    } else {
      res.body = std::move(response.body);  // set_content would copy it
      res.set_header("Content-Type", response.content_type);
    }
  };
  // Every method on every path goes through our router (httplib's own 404/405 pages are
  // never used, so every answer gets the security headers).
  const char* any = R"(.*)";
  http.Get(any, dispatch);
  http.Post(any, dispatch);
  http.Put(any, dispatch);
  http.Delete(any, dispatch);
  http.Patch(any, dispatch);
  http.Options(any, dispatch);
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&,
                                                                 httplib::Response& res) {
    // Our own error answers (they have a body) go out as they are; this is reached for
    // the ones httplib makes itself (413 over-size body, 400 bad request), which get our
    // body and the security headers.
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Response r = ErrorResponse(res.status, "request refused (" + std::to_string(res.status) + ")");
    AddSecurityHeaders(r);
    for (const auto& [k, v] : r.headers) res.set_header(k, v);
    res.set_content(r.body, r.content_type);
    return httplib::Server::HandlerResponse::Handled;
  }));
  s->thread_ = std::jthread([&http] { http.listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!http.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return MakeError(ErrorCode::kInternal, "web: the HTTP server did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return s;
}

void HttpServer::Serve(const Request& in, Response& response) const {
  const auto start = std::chrono::steady_clock::now();
  Request request = in;
  bool method_mismatch = false;
  const Route* route =
      router_->Match(request.method, request.path, request.path_params, method_mismatch);
  std::string handler = route ? route->pattern : "(none)";
  if (!gate_->HostAllowed(request.Header("host").value_or(""))) {
    response = ErrorResponse(421, "this server does not answer to the Host it was asked for");
  } else if (!route) {
    response = method_mismatch ? ErrorResponse(405, "method not allowed")
                               : ErrorResponse(404, "no such page");
    if (method_mismatch) response.SetHeader("Allow", "GET, HEAD");
  } else if (auto refused = gate_->Check(request, route->access)) {
    response = std::move(*refused);
  } else {
    try {
      response = route->handler(request);
    } catch (const std::exception& e) {
      spdlog::error("web: {} {}: {}", request.method, handler, e.what());
      response = ErrorResponse(500, "internal error");
    }
  }
  AddSecurityHeaders(response);
  bool has_cache = false;
  for (const auto& [k, v] : response.headers) has_cache = has_cache || k == "Cache-Control";
  if (!has_cache) response.SetHeader("Cache-Control", "no-store");
  if (metrics_.requests != nullptr) {
    metrics_.requests->With({handler, std::to_string(response.status)}).Inc();
    metrics_.duration->With({handler}).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

void HttpServer::Stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace honeyvt::web
