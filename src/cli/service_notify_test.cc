// The notify protocol against a datagram socket the test opens (a path and an abstract
// name), as systemd would.
#include "cli/service_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "core/testing.h"

namespace honeyvt::cli {
namespace {

using namespace std::chrono_literals;

// A bound AF_UNIX datagram socket: what systemd listens on.
class Listener {
 public:
  explicit Listener(const std::string& address) : address_(address) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string raw = address;
    if (raw[0] == '@') raw[0] = '\0';
    std::memcpy(addr.sun_path, raw.data(), raw.size());
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + raw.size());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0) << std::strerror(errno);
    timeval tv{0, 200000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Listener() { ::close(fd_); }
  // The next datagram, or "" after 200 ms.
  std::string Next() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  std::string address_;
  int fd_ = -1;
};

TEST(ServiceNotifierTest, AddressesArePathsOrAbstractNames) {
  EXPECT_EQ(NotifyAddress("/run/systemd/notify"), "/run/systemd/notify");
  EXPECT_EQ(NotifyAddress("@honeyvt-test"), std::string("\0honeyvt-test", 13));
  EXPECT_FALSE(NotifyAddress(""));
  EXPECT_FALSE(NotifyAddress("relative/path"));
  EXPECT_FALSE(NotifyAddress("/" + std::string(200, 'x')));
}

TEST(ServiceNotifierTest, WithoutNotifySocketNothingIsSent) {
  SystemClock clock;
  ServiceNotifier n({{"WATCHDOG_USEC", "1000000"}}, clock);
  EXPECT_FALSE(n.active());
  n.Ready("x");  // no socket, no crash
}

TEST(ServiceNotifierTest, ReadyStatusWatchdogAndStoppingOnAPathSocket) {
  honeyvt::testing::TempDir dir;
  const std::string path = (dir / "notify").string();
  Listener systemd(path);
  FakeClock clock(FromUnixSeconds(std::int64_t{1700000000}), false);
  ServiceNotifier n({{"NOTIFY_SOCKET", path}, {"WATCHDOG_USEC", "4000000"}}, clock);
  ASSERT_TRUE(n.active());
  ASSERT_TRUE(n.watchdog_interval());
  EXPECT_EQ(*n.watchdog_interval(), 2s);
  n.Ready("started");
  const std::string ready = systemd.Next();
  EXPECT_NE(ready.find("READY=1\n"), std::string::npos) << ready;
  EXPECT_NE(ready.find("STATUS=started"), std::string::npos) << ready;
  EXPECT_NE(ready.find("MAINPID=" + std::to_string(::getpid())), std::string::npos) << ready;
  // A new status is sent at once; the same one again is not, unless a ping is due.
  n.Status("3 to look up");
  EXPECT_EQ(systemd.Next(), "STATUS=3 to look up");
  n.Status("3 to look up");
  EXPECT_EQ(systemd.Next(), "");
  clock.Advance(2s);
  n.Status("3 to look up");
  EXPECT_EQ(systemd.Next(), "WATCHDOG=1");
  // Pings are spaced however often they are asked for (curl's progress callback).
  n.Watchdog();
  EXPECT_EQ(systemd.Next(), "");
  clock.Advance(1s);
  n.Watchdog();
  n.Watchdog();
  EXPECT_EQ(systemd.Next(), "WATCHDOG=1");
  EXPECT_EQ(systemd.Next(), "");
  n.Status("line one\nline two");
  EXPECT_EQ(systemd.Next(), "STATUS=line one line two");
  n.ExtendTimeout(90s, "waiting for the lock");
  EXPECT_EQ(systemd.Next(), "EXTEND_TIMEOUT_USEC=90000000\nSTATUS=waiting for the lock");
  n.Stopping();
  EXPECT_EQ(systemd.Next(), "STOPPING=1\nSTATUS=stopping");
}

TEST(ServiceNotifierTest, AbstractSocketAndAWatchdogMeantForAnotherProcess) {
  const std::string name = "@honeyvt-notify-test-" + std::to_string(::getpid());
  Listener systemd(name);
  SystemClock clock;
  ServiceNotifier n({{"NOTIFY_SOCKET", name},
                     {"WATCHDOG_USEC", "1000000"},
                     {"WATCHDOG_PID", std::to_string(::getpid() + 1)}},
                    clock);
  EXPECT_TRUE(n.active());
  EXPECT_FALSE(n.watchdog_interval());
  n.Ready("started");
  const std::string ready = systemd.Next();
  EXPECT_NE(ready.find("READY=1"), std::string::npos);
  EXPECT_EQ(ready.find("WATCHDOG=1"), std::string::npos);
  n.Watchdog();
  EXPECT_EQ(systemd.Next(), "");
}

}  // namespace
}  // namespace honeyvt::cli
