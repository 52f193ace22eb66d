#pragma once
// Watches directories of samples (dionaea's binaries/, cowrie's downloads/ named by
// sha256, any honeypot's drop folder) and offers every file that appears, identified by
// the hash of its content, never by its name.
//
// Events come from inotify (a file closed after writing or moved in); a periodic rescan
// (every `rescan_interval`, and after an inotify queue overflow) is the safety net for
// anything inotify missed, e.g. a directory that did not exist yet or a network file
// system. A file is hashed once per (size, mtime): rescans do not re-read unchanged files.
// Dotfiles (partial downloads) and anything that is not a regular file inside the
// directory (symlinks leading out, FIFOs, sub-directories) are skipped; unreadable files
// are reported once and retried when they change. Not thread-safe: Run() on one thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stop_token>
#include <vector>

#include "core/clock.h"
#include "ingest/sample_sink.h"

namespace honeyvt::ingest {

struct WatchConfig {
  std::vector<std::filesystem::path> dirs;
  std::chrono::seconds rescan_interval{300};
};

struct WatchStats {
  std::int64_t offered = 0;  // files hashed and offered
  std::int64_t skipped = 0;  // not a regular file inside the directory, or a dotfile
  std::int64_t failed = 0;   // unreadable
};

class DirectoryWatcher {
 public:
  DirectoryWatcher(WatchConfig config, SampleSink& sink, Clock& clock);

  // Offers every file of every directory not seen in this state before.
  Result<WatchStats> ScanAll();
  // Looks at one file of directory `dir` (from an event or a scan).
  Status Consider(const std::filesystem::path& dir, const std::filesystem::path& file,
                  WatchStats& stats);
  // Scans, then follows inotify events and rescans periodically until `stop`.
  void Run(std::stop_token stop);

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime{};
  };
  WatchConfig config_;
  SampleSink& sink_;
  Clock& clock_;
  std::map<std::filesystem::path, Seen> seen_;
};

}  // namespace honeyvt::ingest
