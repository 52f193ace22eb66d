// Injected faults on the wire. A connection reset needs the socket, which cpp-httplib
// does not hand to handlers: we find it among our own descriptors by its (local port,
// peer port) pair, set SO_LINGER to 0 and replace the descriptor with /dev/null through
// dup2. The socket's last reference goes away, the kernel sends a TCP RST with no reply
// bytes, and httplib's later write/close act on /dev/null harmlessly (no fd reuse race).
// Stop() uses the same search to wake connections idling in keep-alive.
// Linux-only (/proc/self/fd).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "core/strings.h"
#include "tools/vtsim/http_common.h"

namespace honeyvt::vtsim {
namespace {

int PortOf(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  return -1;
}

// Accepted connections of this process: descriptors whose local port is `local_port`
// and which have a peer (the listening socket has none). A peer port of -1 matches any.
std::vector<int> FindConnections(int local_port, int peer_port) {
  std::vector<int> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    auto fd_num = ParseInt(entry.path().filename().string());
    if (!fd_num) continue;
    const int fd = static_cast<int>(*fd_num);
    sockaddr_storage local{}, peer{};
    socklen_t len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) continue;
    len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;
    if (PortOf(local) == local_port && (peer_port < 0 || PortOf(peer) == peer_port)) {
      out.push_back(fd);
    }
  }
  return out;
}

bool ResetConnection(const httplib::Request& req) {
  const auto fds = FindConnections(req.local_port, req.remote_port);
  if (fds.size() != 1) return false;
  const int fd = fds.front();
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    shutdown(fd, SHUT_RDWR);
    return true;
  }
  dup2(null_fd, fd);
  close(null_fd);
  return true;
}

constexpr std::string_view kHtmlError =
    "<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error %d</title>"
    "<p><b>%d.</b> That's an error.<p>The server encountered a temporary error and could not "
    "complete your request.</html>";

std::string HtmlError(int status) {
  std::string out(kHtmlError);
  for (std::size_t pos; (pos = out.find("%d")) != std::string::npos;) {
    out.replace(pos, 2, std::to_string(status));
  }
  return out;
}

}  // namespace

void ShutdownConnections(int port) {
  for (int fd : FindConnections(port, -1)) shutdown(fd, SHUT_RDWR);
}

void ServeReplacingFault(const HttpContext& ctx, Api api, const FaultAction& fault,
                         const httplib::Request& req, httplib::Response& res) {
  (void)ctx;
  switch (fault.kind) {
    case FaultKind::k500:
    case FaultKind::k502: {
      const int status = fault.kind == FaultKind::k500 ? 500 : 502;
      res.status = status;
      res.set_content(HtmlError(status), "text/html; charset=UTF-8");
      return;
    }
    case FaultKind::k503:
      if (api == Api::kV2) return SendEmpty(res, 503, "text/html; charset=utf-8");
      return SendV3Error(res, 503, "TransientError",
                         "A transient error occurred, please try again later");
    case FaultKind::k504:
      if (api == Api::kV2) return SendEmpty(res, 504, "text/html; charset=utf-8");
      return SendV3Error(res, 504, "DeadlineExceededError", "Deadline exceeded");
    case FaultKind::k429:
      // v2 has no 429: its throttle signal is 204 with an empty body.
      if (api == Api::kV2) return SendEmpty(res, 204, "text/html; charset=utf-8");
      return SendV3Error(res, 429, "TooManyRequestsError", "Too many requests");
    case FaultKind::kReset:
      if (!ResetConnection(req)) {
        res.status = 500;
        res.set_content("vtsim: could not find the connection to reset", "text/plain");
      }
      return;
    default:
      return;
  }
}

void MangleResponse(const HttpContext& ctx, const FaultAction& fault, httplib::Response& res) {
  switch (fault.kind) {
    case FaultKind::kNonJson:
      res.body = HtmlError(res.status);
      return;
    case FaultKind::kWrongType:
      res.headers.erase("Content-Type");
      res.set_header("Content-Type", "text/html; charset=utf-8");
      return;
    case FaultKind::kTruncate:
    case FaultKind::kStall: {
      auto body = std::make_shared<std::string>(std::move(res.body));
      res.body.clear();
      const std::string type = res.get_header_value("Content-Type");
      res.headers.erase("Content-Type");
      const bool stall = fault.kind == FaultKind::kStall;
      const auto delay = fault.delay;
      const HttpContext* c = &ctx;
      // Content-Length announces the whole body; only the first half is ever sent.
      res.set_content_provider(
          body->size(), type,
          [body, stall, delay, c](std::size_t offset, std::size_t, httplib::DataSink& sink) {
            if (offset == 0 && !body->empty()) sink.write(body->data(), body->size() / 2);
            if (stall) c->real_clock.SleepFor(delay, c->stop);
            return false;  // abort: httplib closes the connection
          });
      return;
    }
    default:
      return;
  }
}

}  // namespace honeyvt::vtsim
