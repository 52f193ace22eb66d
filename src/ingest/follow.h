#pragma once
// The entry point `honeyvt run` uses to notice new samples while it processes the queue:
// a DownloadsFollower on the logsql file and a DirectoryWatcher on the binaries directory
// plus every `watch` directory, each on its own std::jthread, offering to the state
// database through their own connection (JobStoreSink behind a OnceSink).
//
//   auto following = ingest::Following::Start(options, clock);  // Result<unique_ptr<...>>
//   ... run the pipeline ...
//   // ~Following (or Stop()) requests stop and joins; in-flight offers complete first.
//
// Errors while following (logsql locked or missing, a directory missing) are logged and
// retried; only opening the state database can fail Start().

#include <memory>

#include "core/clock.h"
#include "core/options.h"
#include "core/result.h"

namespace honeyvt::ingest {

struct FollowTuning {
  std::chrono::milliseconds poll_interval{2000};  // logsql polls
  std::chrono::seconds file_grace{600};           // wait for a download's file
  std::chrono::seconds rescan_interval{300};      // directory safety-net rescans
  bool follow_logsql = true;
  bool watch_directories = true;
  // Catch up with logsql on the calling thread before Start() returns (a cron run with
  // --until-drained must see what was captured); otherwise the follower's thread does.
  bool catch_up_first = true;
};

// The tuning the configuration asks for (keys follow_poll_interval, follow_file_grace,
// follow_rescan_interval; docs/configuration.md).
FollowTuning TuningFrom(const Options& options);

class Following {
 public:
  // Catches up with the logsql file once on the calling thread when
  // tuning.catch_up_first (so a daemon started right after sees what was captured
  // meanwhile, e.g. `run --until-drained` from cron), then starts the threads.
  static Result<std::unique_ptr<Following>> Start(const Options& options, Clock& clock,
                                                  const FollowTuning& tuning = {});
  ~Following();
  Following(const Following&) = delete;
  Following& operator=(const Following&) = delete;
  void Stop();

  struct Impl;

 private:
  explicit Following(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// For `honeyvt run`: Start() with TuningFrom(options); on failure logs the error and
// returns null (the daemon still works through the queue, it just does not follow).
std::unique_ptr<Following> FollowInBackground(const Options& options, Clock& clock,
                                              bool catch_up_first = true);

}  // namespace honeyvt::ingest
