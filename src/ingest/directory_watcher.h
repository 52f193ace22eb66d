#pragma once
// Watches directories of samples (dionaea's binaries/, cowrie's downloads/ named by
// sha256, any honeypot's drop folder) and offers every file that appears, identified by
// the hash of its content, never by its name.
//
// Events come from inotify (a file closed after writing or moved in); a periodic rescan
// (every `rescan_interval`, and after an inotify queue overflow) is the safety net for
// anything inotify missed, e.g. a directory that did not exist yet or a network file
// system. A file is hashed once per (size, mtime): rescans do not re-read unchanged files,
// and with a FileIdentityCache neither does a restart (files known from an earlier run
// are skipped without being opened; the files of a scan are offered in batches, one
// transaction each). Dotfiles (partial downloads) and anything that is not a regular file
// inside the directory (symlinks leading out, FIFOs, sub-directories) are skipped;
// unreadable files are reported once and retried when they change.
//
// Live priority goes only to files that are new: during the first scan of a directory,
// files whose status changed (created or moved in) after the directory's previous scan
// mark (FileIdentityCache::LastScan), or after `started` when there is none; after it,
// every file that appears. So a restart does not lift the whole backlog to live priority.
// Each complete scan saves the directory's mark.
//
// Not thread-safe: Run() on one thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stop_token>
#include <vector>

#include "core/clock.h"
#include "ingest/file_identity.h"
#include "ingest/sample_sink.h"

namespace honeyvt::ingest {

struct WatchConfig {
  std::vector<std::filesystem::path> dirs;
  std::chrono::seconds rescan_interval{300};
  // Identities of files offered in earlier runs, and scan marks (may be null).
  FileIdentityCache* cache = nullptr;
  // When this run started (default: when the watcher is made).
  std::optional<TimePoint> started{};
};

struct WatchStats {
  std::int64_t offered = 0;  // files hashed and offered
  std::int64_t known = 0;    // unchanged files known from an earlier run: not read
  std::int64_t skipped = 0;  // not a regular file inside the directory, or a dotfile
  std::int64_t failed = 0;   // unreadable
};

class DirectoryWatcher {
 public:
  DirectoryWatcher(WatchConfig config, SampleSink& sink, Clock& clock);

  // Offers every file of every directory not seen in this state before. A stop request
  // ends it early (the scan then counts as incomplete).
  Result<WatchStats> ScanAll(std::stop_token stop = {});
  // Looks at one file of directory `dir` (from an event) and offers it at once.
  Status Consider(const std::filesystem::path& dir, const std::filesystem::path& file,
                  WatchStats& stats);
  // Scans, then follows inotify events and rescans periodically until `stop`.
  void Run(std::stop_token stop);

 private:
  struct Seen {
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Seen&) const = default;
  };
  struct Batch;  // candidates of a scan waiting to be offered together
  Status Look(const std::filesystem::path& dir, const std::filesystem::path& file,
              WatchStats& stats, Batch* batch);
  Status Flush(Batch& batch, WatchStats& stats);
  bool IsLive(const std::filesystem::path& dir, const FileStamp& stamp) const;

  WatchConfig config_;
  SampleSink& sink_;
  Clock& clock_;
  TimePoint started_;
  std::map<std::filesystem::path, Seen> seen_;
  // Per directory: files whose status changed after this are live (TimePoint::min() once
  // the directory has been scanned completely in this run).
  std::map<std::filesystem::path, TimePoint> live_after_;
  bool pruned_ = false;
};

}  // namespace honeyvt::ingest
