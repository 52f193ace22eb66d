#pragma once
// Linux inotify behind a small RAII class; the only file of honeyvt that includes
// <sys/inotify.h>. Reports files of watched directories that were closed after writing
// (IN_CLOSE_WRITE) or moved in (IN_MOVED_TO) - the two ways a finished sample appears.
// Not recursive. Wait() may be interrupted from another thread by Wake() (eventfd), so a
// stop request never waits for the timeout. Wait() is for one thread; Wake() any thread.

#include <chrono>
#include <filesystem>
#include <map>
#include <vector>

#include "core/result.h"
#include "core/unique_fd.h"

namespace honeyvt::ingest {

struct InotifyEvents {
  std::vector<std::filesystem::path> files;  // full paths, in event order
  bool overflow = false;  // the kernel queue overflowed: events were lost, rescan
  bool woken = false;     // Wake() was called
};

class Inotify {
 public:
  static Result<Inotify> Create();
  Inotify(Inotify&&) noexcept = default;
  Inotify& operator=(Inotify&&) noexcept = default;

  // Starts watching `dir`; kNotFound if it does not exist, kIo on other failures (e.g. the
  // user's inotify watch limit).
  Status Watch(const std::filesystem::path& dir);
  bool Watching(const std::filesystem::path& dir) const;
  // Blocks up to `timeout` (no busy polling) for events or a Wake().
  Result<InotifyEvents> Wait(std::chrono::milliseconds timeout);
  // Interrupts a Wait(); async-signal-safe.
  void Wake() const;

 private:
  Inotify(UniqueFd in, UniqueFd wake) : in_(std::move(in)), wake_(std::move(wake)) {}
  UniqueFd in_;
  UniqueFd wake_;
  std::map<int, std::filesystem::path> dirs_;  // watch descriptor -> directory
};

}  // namespace honeyvt::ingest
