#pragma once
// The one place honeyvt touches POSIX signals. While a StopOnSignals object lives,
// SIGTERM and SIGINT only set a flag and wake a watcher thread (self-pipe), which then
// requests stop on the token the daemon waits on; SIGHUP wakes it to call the reload
// handler (on the watcher thread; until one is set, a SIGHUP is remembered and handed to
// the handler when it is set). The previous handlers are restored on destruction. One
// instance per process.

#include <atomic>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace honeyvt::cli {

class StopOnSignals {
 public:
  StopOnSignals();
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  std::stop_token token() const { return stop_.get_token(); }
  // The signal that asked us to stop, or 0.
  int received() const;
  // Called on SIGHUP (keep it short: it runs on the watcher thread, under a lock). Empty
  // clears it; once OnReload returns, the previous handler is not running and will not
  // be called again.
  void OnReload(std::function<void()> handler);

 private:
  void Reload();

  std::stop_source stop_;
  int pipe_[2] = {-1, -1};
  std::mutex mu_;
  std::function<void()> on_reload_;  // guarded by mu_
  bool reload_pending_ = false;      // guarded by mu_
  std::jthread watcher_;
};

}  // namespace honeyvt::cli
