#include "ingest/directory_watcher.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "ingest/inotify.h"
#include "ingest/sample_file.h"

namespace honeyvt::ingest {
namespace fs = std::filesystem;

DirectoryWatcher::DirectoryWatcher(WatchConfig config, SampleSink& sink, Clock& clock)
    : config_(std::move(config)), sink_(sink), clock_(clock) {}

Status DirectoryWatcher::Consider(const fs::path& dir, const fs::path& file, WatchStats& stats) {
  const std::string name = file.filename().string();
  if (name.empty() || name[0] == '.') {
    ++stats.skipped;
    return OkStatus();
  }
  std::error_code ec;
  const auto status = fs::symlink_status(file, ec);
  if (ec) return OkStatus();  // vanished between event and look
  Seen now;
  if (fs::is_regular_file(status)) {
    now.size = fs::file_size(file, ec);
    now.mtime = fs::last_write_time(file, ec);
  }
  auto it = seen_.find(file);
  if (it != seen_.end() && it->second.size == now.size && it->second.mtime == now.mtime) {
    return OkStatus();
  }
  seen_[file] = now;
  auto sample = HashSample(dir, file);
  if (!sample) {
    if (sample.error().code == ErrorCode::kNotFound) {
      seen_.erase(file);  // gone or dangling: look again on the next event/rescan
      return OkStatus();
    }
    if (sample.error().code == ErrorCode::kForbidden) {
      ++stats.skipped;
    } else {
      ++stats.failed;
    }
    spdlog::warn("ingest: {}", sample.error().message);
    return OkStatus();
  }
  SampleCandidate c(sample->md5);
  c.sha1 = sample->sha1;
  c.sha256 = sample->sha256;
  c.file_path = sample->path.string();
  c.root = sample->root.string();
  c.size = sample->size;
  c.source = "watch:" + dir.string();
  c.live = true;
  c.seen_at = clock_.Now();
  if (auto offered = sink_.Offer(c); !offered) {
    seen_.erase(file);  // not stored: offer it again on the next event or rescan
    return Unexpected(std::move(offered).error());
  }
  ++stats.offered;
  return OkStatus();
}

Result<WatchStats> DirectoryWatcher::ScanAll() {
  WatchStats stats;
  for (const auto& dir : config_.dirs) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) {
      spdlog::warn("ingest: cannot scan {}: {}", Printable(dir.string()), ec.message());
      continue;
    }
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      RETURN_IF_ERROR(Consider(dir, it->path(), stats));
    }
  }
  return stats;
}

void DirectoryWatcher::Run(std::stop_token stop) {
  auto inotify = Inotify::Create();
  if (!inotify) {
    spdlog::warn("ingest: {}; falling back to rescans every {}s", inotify.error().message,
                 config_.rescan_interval.count());
  }
  std::optional<std::stop_callback<std::function<void()>>> wake_on_stop;
  if (inotify) wake_on_stop.emplace(stop, [&inotify] { inotify->Wake(); });
  TimePoint next_scan = clock_.Now();
  while (!stop.stop_requested()) {
    if (inotify) {
      for (const auto& dir : config_.dirs) {
        if (!inotify->Watching(dir)) {
          if (auto st = inotify->Watch(dir); !st && clock_.Now() >= next_scan) {
            spdlog::warn("ingest: {}", st.error().message);
          }
        }
      }
    }
    if (clock_.Now() >= next_scan) {
      auto stats = ScanAll();
      if (!stats)
        spdlog::warn("ingest: scan: {}", stats.error().ToString());
      else if (stats->offered > 0)
        spdlog::info("ingest: scan offered {} files", stats->offered);
      next_scan = clock_.Now() + config_.rescan_interval;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(next_scan - clock_.Now(), Duration::zero()));
    if (!inotify) {
      if (!clock_.SleepUntil(next_scan, stop)) break;
      continue;
    }
    auto events = inotify->Wait(wait);
    if (!events) {
      spdlog::warn("ingest: {}", events.error().message);
      if (!clock_.SleepFor(std::chrono::seconds(1), stop)) break;
      continue;
    }
    if (events->overflow) next_scan = clock_.Now();
    WatchStats stats;
    for (const auto& file : events->files) {
      if (stop.stop_requested()) break;
      if (auto st = Consider(file.parent_path(), file, stats); !st) {
        spdlog::warn("ingest: {}", st.error().ToString());
        next_scan = std::min(next_scan, clock_.Now() + std::chrono::seconds(10));
      }
    }
  }
}

}  // namespace honeyvt::ingest
