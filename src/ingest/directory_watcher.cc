#include "ingest/directory_watcher.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <mutex>

#include "ingest/inotify.h"
#include "ingest/sample_file.h"

namespace honeyvt::ingest {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kBatchSize = 256;
// File times come from the kernel's coarse clock (a few ms behind the real one).
constexpr Duration kClockSlack = std::chrono::seconds(1);

}  // namespace

struct DirectoryWatcher::Batch {
  std::vector<SampleCandidate> candidates;
  std::vector<KnownFile> files;
  std::vector<fs::path> paths;
};

DirectoryWatcher::DirectoryWatcher(WatchConfig config, SampleSink& sink, Clock& clock)
    : config_(std::move(config)),
      sink_(sink),
      clock_(clock),
      started_(config_.started.value_or(clock.Now())) {}

bool DirectoryWatcher::IsLive(const fs::path& dir, const FileStamp& stamp) const {
  auto it = live_after_.find(dir);
  const TimePoint after = it == live_after_.end() ? started_ : it->second;
  if (after == TimePoint::min()) return true;
  const TimePoint changed(
      std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(stamp.ctime_ns)));
  return changed + kClockSlack >= after;
}

Status DirectoryWatcher::Consider(const fs::path& dir, const fs::path& file, WatchStats& stats) {
  return Look(dir, file, stats, nullptr);
}

Status DirectoryWatcher::Look(const fs::path& dir, const fs::path& file, WatchStats& stats,
                              Batch* batch) {
  const std::string name = file.filename().string();
  if (name.empty() || name[0] == '.') {
    ++stats.skipped;
    return OkStatus();
  }
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) return OkStatus();  // vanished between event and look
  const FileStamp stamp = StampOf(st);
  const Seen now = S_ISREG(st.st_mode) ? Seen{stamp.size, stamp.mtime_ns} : Seen{};
  auto it = seen_.find(file);
  if (it != seen_.end() && it->second == now) return OkStatus();
  if (S_ISREG(st.st_mode) && config_.cache != nullptr && config_.cache->Known(stamp)) {
    ++stats.known;  // hashed and queued by an earlier run: not read again
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
  c.live = IsLive(dir, sample->stamp);
  c.seen_at = clock_.Now();
  KnownFile known{sample->stamp, sample->md5, sample->sha1, sample->sha256, dir.string()};
  if (batch != nullptr) {
    batch->candidates.push_back(std::move(c));
    batch->files.push_back(std::move(known));
    batch->paths.push_back(file);
    if (batch->candidates.size() >= kBatchSize) return Flush(*batch, stats);
    return OkStatus();
  }
  if (auto offered = sink_.Offer(c); !offered) {
    seen_.erase(file);  // not stored: offer it again on the next event or rescan
    return Unexpected(std::move(offered).error());
  }
  ++stats.offered;
  if (config_.cache != nullptr) {
    if (Status recorded = config_.cache->Record(std::span(&known, 1), clock_.Now()); !recorded) {
      spdlog::warn("ingest: cannot record {}: {}", Printable(file.string()),
                   recorded.error().ToString());
    }
  }
  return OkStatus();
}

Status DirectoryWatcher::Flush(Batch& batch, WatchStats& stats) {
  if (batch.candidates.empty()) return OkStatus();
  auto offered = sink_.OfferBatch(batch.candidates);
  if (!offered) {
    for (const auto& p : batch.paths) seen_.erase(p);  // offer them again on the next scan
    batch = Batch{};
    return Unexpected(std::move(offered).error());
  }
  stats.offered += static_cast<std::int64_t>(batch.candidates.size());
  if (config_.cache != nullptr) {
    if (Status st = config_.cache->Record(batch.files, clock_.Now()); !st) {
      spdlog::warn("ingest: cannot record hashed files: {}", st.error().ToString());
    }
  }
  batch = Batch{};
  return OkStatus();
}

Result<WatchStats> DirectoryWatcher::ScanAll(std::stop_token stop) {
  WatchStats stats;
  bool all_complete = true;
  for (const auto& dir : config_.dirs) {
    if (stop.stop_requested()) return stats;
    const TimePoint scan_start = clock_.Now();
    if (!live_after_.contains(dir)) {
      std::optional<TimePoint> mark;
      if (config_.cache != nullptr) {
        auto last = config_.cache->LastScan(dir.string());
        if (last) {
          mark = *last;
        } else {
          spdlog::warn("ingest: {}", last.error().ToString());
        }
      }
      live_after_[dir] = mark.value_or(started_);
    }
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) {
      spdlog::warn("ingest: cannot scan {}: {}", Printable(dir.string()), ec.message());
      all_complete = false;
      continue;
    }
    Batch batch;
    bool complete = true;
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      if (stop.stop_requested()) {
        complete = false;
        break;
      }
      RETURN_IF_ERROR(Look(dir, it->path(), stats, &batch));
    }
    RETURN_IF_ERROR(Flush(batch, stats));
    if (ec || !complete) {
      all_complete = false;
      continue;
    }
    live_after_[dir] = TimePoint::min();  // from now on, whatever appears is new
    if (config_.cache != nullptr) {
      if (Status st = config_.cache->SaveScan(dir.string(), scan_start); !st) {
        spdlog::warn("ingest: {}", st.error().ToString());
      }
    }
  }
  if (all_complete && !pruned_ && config_.cache != nullptr) {
    pruned_ = true;
    auto dropped = config_.cache->Prune();
    if (!dropped) {
      spdlog::warn("ingest: {}", dropped.error().ToString());
    } else if (*dropped > 0) {
      spdlog::info("ingest: forgot {} file(s) no longer in the watched directories", *dropped);
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
  bool first = true;
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
      const TimePoint began = clock_.Now();
      auto stats = ScanAll(stop);
      if (!stats) {
        spdlog::warn("ingest: scan: {}", stats.error().ToString());
      } else if (first) {
        spdlog::info(
            "ingest: first scan of {} director{} in {:.2f} s: {} file(s) known from earlier "
            "runs (not read), {} hashed and offered, {} skipped, {} unreadable",
            config_.dirs.size(), config_.dirs.size() == 1 ? "y" : "ies",
            std::chrono::duration<double>(clock_.Now() - began).count(), stats->known,
            stats->offered, stats->skipped, stats->failed);
      } else if (stats->offered > 0) {
        spdlog::info("ingest: scan offered {} files", stats->offered);
      }
      first = false;
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
