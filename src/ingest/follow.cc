#include "ingest/follow.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

#include "ingest/cursor_store.h"
#include "ingest/directory_watcher.h"
#include "ingest/downloads_follower.h"
#include "ingest/file_identity.h"
#include "ingest/job_store_sink.h"
#include "ingest/once_sink.h"
#include "store/state_db.h"

namespace honeyvt::ingest {

// Members are declared in dependency order; threads last, so they are joined (in reverse
// order) before anything they use is destroyed.
struct Following::Impl {
  Impl(store::StateDb db, SqliteCursorStore cur, Clock& c)
      : state(std::move(db)), cursors(std::move(cur)), clock(c), jobs(state, c), once(jobs) {}
  store::StateDb state;
  SqliteCursorStore cursors;
  Clock& clock;
  JobStoreSink jobs;
  OnceSink once;
  std::unique_ptr<FileIdentityCache> identities;
  std::optional<DownloadsFollower> follower;
  std::optional<DirectoryWatcher> watcher;
  std::jthread follower_thread, watcher_thread;
};

Result<std::unique_ptr<Following>> Following::Start(const Options& options, Clock& clock,
                                                    const FollowTuning& tuning) {
  ASSIGN_OR_RETURN(store::StateDb state, store::StateDb::Open(options.StatePath()));
  ASSIGN_OR_RETURN(SqliteCursorStore cursors, SqliteCursorStore::Open(options.StatePath()));
  auto impl = std::make_unique<Impl>(std::move(state), std::move(cursors), clock);
  if (tuning.follow_logsql) {
    impl->follower.emplace(FollowerConfig{.logsql = options.logsql,
                                          .binaries = options.binaries,
                                          .file_grace = tuning.file_grace,
                                          .poll_interval = tuning.poll_interval},
                           impl->cursors, impl->once, clock);
    if (!tuning.catch_up_first) {
      // The follower's thread catches up on its first poll.
    } else if (auto caught_up = impl->follower->PollOnce(); !caught_up) {
      spdlog::warn("ingest: following {}: {} (retrying in the background)", options.logsql.string(),
                   caught_up.error().ToString());
    } else if (caught_up->rows > 0) {
      spdlog::info(
          "ingest: caught up with {}: {} new downloads, {} queued, {} by hash only, "
          "{} awaiting their file",
          options.logsql.string(), caught_up->rows, caught_up->offered, caught_up->hash_only,
          caught_up->waiting);
    }
    impl->follower_thread =
        std::jthread([f = &*impl->follower](std::stop_token st) { f->Run(st); });
  }
  if (tuning.watch_directories) {
    ASSIGN_OR_RETURN(impl->identities, FileIdentityCache::Open(options.StatePath()));
    WatchConfig wc{.dirs = {options.binaries},
                   .rescan_interval = tuning.rescan_interval,
                   .cache = impl->identities.get(),
                   .started = clock.Now()};
    for (const auto& d : options.watch) wc.dirs.push_back(d);
    impl->watcher.emplace(std::move(wc), impl->once, clock);
    impl->watcher_thread =
        std::jthread([w = &*impl->watcher, cache = impl->identities.get()](std::stop_token st) {
          if (Status loaded = cache->Load(); !loaded) {
            spdlog::warn("ingest: file identities: {} (every file is hashed again)",
                         loaded.error().ToString());
          }
          w->Run(st);
        });
  }
  spdlog::info("ingest: following {} and watching {} director{}", options.logsql.string(),
               1 + options.watch.size(), options.watch.empty() ? "y" : "ies");
  return std::unique_ptr<Following>(new Following(std::move(impl)));
}

Following::Following(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Following::~Following() { Stop(); }

void Following::Stop() {
  if (!impl_) return;
  impl_->follower_thread.request_stop();
  impl_->watcher_thread.request_stop();
  if (impl_->follower_thread.joinable()) impl_->follower_thread.join();
  if (impl_->watcher_thread.joinable()) impl_->watcher_thread.join();
}

FollowTuning TuningFrom(const Options& options) {
  FollowTuning t;
  t.poll_interval = options.follow_poll_interval;
  t.file_grace = options.follow_file_grace;
  t.rescan_interval = options.follow_rescan_interval;
  return t;
}

std::unique_ptr<Following> FollowInBackground(const Options& options, Clock& clock,
                                              bool catch_up_first) {
  FollowTuning tuning = TuningFrom(options);
  tuning.catch_up_first = catch_up_first;
  auto following = Following::Start(options, clock, tuning);
  if (!following) {
    spdlog::error("ingest: not following new samples: {}", following.error().ToString());
    return nullptr;
  }
  return std::move(*following);
}

}  // namespace honeyvt::ingest
