#pragma once
// The one place honeyvt touches POSIX signals. While a StopOnSignals object lives,
// SIGTERM and SIGINT only set a flag and wake a watcher thread (self-pipe), which then
// requests stop on the token the daemon waits on. The previous handlers are restored on
// destruction. One instance per process.

#include <atomic>
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

 private:
  std::stop_source stop_;
  int pipe_[2] = {-1, -1};
  std::jthread watcher_;
};

}  // namespace honeyvt::cli
