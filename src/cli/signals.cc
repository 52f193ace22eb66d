#include "cli/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>

namespace honeyvt::cli {
namespace {

// Written only by the handler; an async-signal-safe flag and the pipe to wake the watcher.
volatile std::sig_atomic_t g_signal = 0;
int g_wake_fd = -1;
struct sigaction g_old_term{};
struct sigaction g_old_int{};

extern "C" void OnSignal(int sig) {
  g_signal = sig;
  if (g_wake_fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(g_wake_fd, &byte, 1);
  }
}

}  // namespace

StopOnSignals::StopOnSignals() {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) return;  // without a pipe, signals keep their defaults
  g_wake_fd = pipe_[1];
  struct sigaction sa{};
  sa.sa_handler = &OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &sa, &g_old_term);
  ::sigaction(SIGINT, &sa, &g_old_int);
  watcher_ = std::jthread([this, fd = pipe_[0]] {
    char byte = 0;
    while (::read(fd, &byte, 1) < 0) {
    }
    // byte 1: a signal arrived; byte 0: the destructor ends the watcher.
    if (byte == 1) stop_.request_stop();
  });
}

StopOnSignals::~StopOnSignals() {
  if (pipe_[1] < 0) return;
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  ::sigaction(SIGINT, &g_old_int, nullptr);
  g_wake_fd = -1;
  const char byte = 0;
  [[maybe_unused]] ssize_t n = ::write(pipe_[1], &byte, 1);
  if (watcher_.joinable()) watcher_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

int StopOnSignals::received() const { return static_cast<int>(g_signal); }

}  // namespace honeyvt::cli
