#include "cli/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "core/strings.h"

namespace honeyvt::cli {

std::optional<std::string> NotifyAddress(std::string_view notify_socket) {
  if (notify_socket.size() < 2 || notify_socket.size() >= sizeof(sockaddr_un::sun_path)) {
    return std::nullopt;
  }
  if (notify_socket[0] == '/') return std::string(notify_socket);
  if (notify_socket[0] == '@') {
    std::string out(notify_socket);
    out[0] = '\0';
    return out;
  }
  return std::nullopt;
}

ServiceNotifier::ServiceNotifier(const std::map<std::string, std::string>& env, Clock& clock)
    : clock_(clock) {
  auto socket = env.find("NOTIFY_SOCKET");
  if (socket == env.end()) return;
  auto address = NotifyAddress(socket->second);
  if (!address) return;
  address_ = *address;
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto usec = env.find("WATCHDOG_USEC");
  auto pid = env.find("WATCHDOG_PID");
  if (usec != env.end()) {
    auto n = ParseInt(usec->second);
    const bool ours =
        pid == env.end() || ParseInt(pid->second) == std::optional<std::int64_t>(::getpid());
    if (n && *n > 0 && ours) watchdog_usec_ = std::chrono::microseconds(*n);
  }
}

ServiceNotifier::~ServiceNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::chrono::microseconds> ServiceNotifier::watchdog_interval() const {
  if (!watchdog_usec_) return std::nullopt;
  return *watchdog_usec_ / 2;
}

void ServiceNotifier::Send(const std::string& message) {
  if (fd_ < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, address_.data(), address_.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  // MSG_NOSIGNAL: never SIGPIPE; a full or missing socket only loses this message.
  [[maybe_unused]] ssize_t n =
      ::sendto(fd_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&addr), len);
}

namespace {

// STATUS= takes one line.
std::string OneLine(std::string_view text) {
  std::string out(text.substr(0, 200));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

Duration ServiceNotifier::PingSpacing() const {
  const Duration quarter =
      std::chrono::duration_cast<Duration>(watchdog_usec_.value_or(std::chrono::microseconds(0))) /
      4;
  return std::min<Duration>(quarter, std::chrono::seconds(1));
}

void ServiceNotifier::Ready(std::string_view status) {
  last_status_ = OneLine(status);
  last_ping_ = clock_.Now();
  Send("READY=1\nSTATUS=" + last_status_ + "\nMAINPID=" + std::to_string(::getpid()) +
       (watchdog_usec_ ? "\nWATCHDOG=1" : ""));
}

void ServiceNotifier::Status(std::string_view status) {
  const std::string line = OneLine(status);
  const TimePoint now = clock_.Now();
  const bool ping = watchdog_usec_ && now - last_ping_ >= PingSpacing();
  if (line == last_status_ && !ping) return;
  std::string message;
  if (line != last_status_) message = "STATUS=" + line;
  if (ping) {
    message += (message.empty() ? "" : "\n") + std::string("WATCHDOG=1");
    last_ping_ = now;
  }
  last_status_ = line;
  Send(message);
}

void ServiceNotifier::Watchdog() {
  if (!watchdog_usec_) return;
  const TimePoint now = clock_.Now();
  if (now - last_ping_ < PingSpacing()) return;
  last_ping_ = now;
  Send("WATCHDOG=1");
}

void ServiceNotifier::Stopping() { Send("STOPPING=1\nSTATUS=stopping"); }

void ServiceNotifier::ExtendTimeout(std::chrono::microseconds more, std::string_view status) {
  last_status_ = OneLine(status);
  Send("EXTEND_TIMEOUT_USEC=" + std::to_string(more.count()) + "\nSTATUS=" + last_status_);
}

}  // namespace honeyvt::cli
