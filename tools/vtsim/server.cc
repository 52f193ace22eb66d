#include "tools/vtsim/server.h"

#include "tools/vtsim/http_common.h"
#include "tools/vtsim/routes.h"

namespace honeyvt::vtsim {

Result<std::unique_ptr<Server>> Server::Start(const SimOptions& options) {
  std::unique_ptr<Server> s(new Server());
  // Real waits (slow and stalled responses) always use the system clock; the simulated
  // clock is based on options.clock when a test injects one.
  s->own_clock_ = std::make_unique<SystemClock>();
  Clock* clock = options.clock != nullptr ? options.clock : s->own_clock_.get();
  ASSIGN_OR_RETURN(s->sim_, Simulator::Create(options, *clock));
  s->http_ = std::make_unique<httplib::Server>();
  const int threads = std::max(2, options.threads);
  s->http_->new_task_queue = [threads] {
    // httplib's interface: it takes ownership of the raw pointer.
    return new httplib::ThreadPool(  // NOLINT(cppcoreguidelines-owning-memory)
        static_cast<std::size_t>(threads));
  };
  // Uploads through the one-time URL may reach max_upload; multipart framing adds a little.
  s->http_->set_payload_max_length(static_cast<std::size_t>(options.max_upload) +
                                   std::size_t{64} * 1024);
  s->http_->set_keep_alive_max_count(1000);
  s->http_->set_tcp_nodelay(true);
  s->host_ = options.host;
  const int port = options.port == 0
                       ? s->http_->bind_to_any_port(options.host)
                       : (s->http_->bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    return MakeError(ErrorCode::kIo,
                     "cannot listen on " + options.host + ":" + std::to_string(options.port));
  }
  s->port_ = port;
  s->ctx_ = std::make_unique<HttpContext>(
      HttpContext{*s->sim_, s->base_url(), s->stop_.get_token(), *s->own_clock_});
  // stall-body: before httplib reads a POST's body, so the client's upload stalls.
  s->http_->set_pre_routing_handler(
      [ctx = s->ctx_.get()](const httplib::Request& req, httplib::Response&) {
        if (req.method == "POST" && !req.path.starts_with("/_sim/")) {
          const FaultAction fault = ctx->sim.NextBodyFault(req.path);
          if (fault.kind == FaultKind::kStallBody) ctx->real_clock.SleepFor(fault.delay, ctx->stop);
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  RegisterControlRoutes(*s->http_, *s->ctx_);
  RegisterV3Routes(*s->http_, *s->ctx_);
  RegisterV2Routes(*s->http_, *s->ctx_);
  httplib::Server* http = s->http_.get();
  s->thread_ = std::jthread([http] { http->listen_after_bind(); });
  // Return only once the accept loop runs: a Stop() before that would be lost by httplib.
  const TimePoint deadline = s->own_clock_->Now() + std::chrono::seconds(5);
  while (!http->is_running()) {
    if (s->own_clock_->Now() > deadline)
      return MakeError(ErrorCode::kInternal, "HTTP server did not start");
    s->own_clock_->SleepFor(std::chrono::microseconds(100), s->stop_.get_token());
  }
  return s;
}

std::string Server::base_url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

void Server::Stop() {
  stop_.request_stop();
  if (http_) http_->stop();
  // Workers idle in keep-alive for up to 5 s; closing their connections ends that now.
  if (port_ > 0 && thread_.joinable()) ShutdownConnections(port_);
  if (thread_.joinable()) thread_.join();
}

Server::~Server() { Stop(); }

}  // namespace honeyvt::vtsim
