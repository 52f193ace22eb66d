#pragma once
// systemd's service notification protocol (sd_notify(3)), written out here instead of
// linking libsystemd: newline-separated KEY=VALUE assignments sent as one datagram to the
// AF_UNIX socket named by $NOTIFY_SOCKET (a path, or '@' for an abstract socket).
//
// `honeyvt run` under `Type=notify` sends READY=1 once the queue and databases are open,
// STATUS=<queue summary> when it changes, WATCHDOG=1 from the main loop (and from long
// transfers) when $WATCHDOG_USEC asks for it, STOPPING=1 on the way out, and EXTEND_TIMEOUT_USEC
// while start-up waits for a lock. Without $NOTIFY_SOCKET every call does nothing. Sending is best
// effort: a lost datagram is not an error of ours.
//
// Thread safety: one thread at a time (the daemon's).

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace honeyvt::cli {

class ServiceNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from `env` (the process
  // environment in production). `clock` paces the watchdog pings.
  ServiceNotifier(const std::map<std::string, std::string>& env, Clock& clock);
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  bool active() const { return fd_ >= 0; }
  // How often the main loop should ping: half of WATCHDOG_USEC; nullopt when the
  // watchdog is off (or meant for another process: WATCHDOG_PID).
  std::optional<std::chrono::microseconds> watchdog_interval() const;

  void Ready(std::string_view status);
  // STATUS=, only when it differs from the last one sent; with WATCHDOG=1 when due.
  void Status(std::string_view status);
  // WATCHDOG=1, at most once a second (a quarter of the watchdog timeout if shorter)
  // however often it is called.
  void Watchdog();
  void Stopping();
  // Start-up takes longer than planned (waiting for a lock): asks systemd for `more`.
  void ExtendTimeout(std::chrono::microseconds more, std::string_view status);

 private:
  void Send(const std::string& message);
  Duration PingSpacing() const;

  Clock& clock_;
  int fd_ = -1;
  std::string address_;  // sockaddr_un path bytes ('\0' first for an abstract socket)
  std::optional<std::chrono::microseconds> watchdog_usec_;
  std::string last_status_;
  TimePoint last_ping_{};
};

// Parses $NOTIFY_SOCKET into sockaddr_un path bytes: "/run/x" as is, "@name" as an
// abstract address ("\0name"). nullopt for anything else (relative, empty, too long).
std::optional<std::string> NotifyAddress(std::string_view notify_socket);

}  // namespace honeyvt::cli
