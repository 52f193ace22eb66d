#include "cli/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>

namespace honeyvt::cli {
namespace {

// Bytes on the self-pipe.
constexpr char kQuit = 0;    // the destructor ends the watcher
constexpr char kStop = 1;    // SIGTERM, SIGINT
constexpr char kReload = 2;  // SIGHUP

// Written only by the handler; an async-signal-safe flag and the pipe to wake the watcher.
volatile std::sig_atomic_t g_signal = 0;
int g_wake_fd = -1;
struct sigaction g_old_term {};
struct sigaction g_old_int {};
struct sigaction g_old_hup {};

extern "C" void OnSignal(int sig) {
  if (sig != SIGHUP) g_signal = sig;
  if (g_wake_fd >= 0) {
    const char byte = sig == SIGHUP ? kReload : kStop;
    [[maybe_unused]] ssize_t n = ::write(g_wake_fd, &byte, 1);
  }
}

}  // namespace

StopOnSignals::StopOnSignals() {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) return;  // without a pipe, signals keep their defaults
  g_wake_fd = pipe_[1];
  struct sigaction sa {};
  sa.sa_handler = &OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &sa, &g_old_term);
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGHUP, &sa, &g_old_hup);
  watcher_ = std::jthread([this, fd = pipe_[0]] {
    while (true) {
      char byte = kQuit;
      if (::read(fd, &byte, 1) < 0) continue;  // EINTR
      if (byte == kQuit) return;
      if (byte == kReload) {
        Reload();
      } else {
        stop_.request_stop();
      }
    }
  });
}

StopOnSignals::~StopOnSignals() {
  if (pipe_[1] < 0) return;
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGHUP, &g_old_hup, nullptr);
  g_wake_fd = -1;
  [[maybe_unused]] ssize_t n = ::write(pipe_[1], &kQuit, 1);
  if (watcher_.joinable()) watcher_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

int StopOnSignals::received() const { return static_cast<int>(g_signal); }

void StopOnSignals::OnReload(std::function<void()> handler) {
  std::lock_guard lock(mu_);  // a handler being called finishes before it is replaced
  on_reload_ = std::move(handler);
  if (on_reload_ && reload_pending_) {
    reload_pending_ = false;
    on_reload_();
  }
}

void StopOnSignals::Reload() {
  std::lock_guard lock(mu_);
  if (on_reload_) {
    on_reload_();
  } else {
    reload_pending_ = true;
  }
}

}  // namespace honeyvt::cli
