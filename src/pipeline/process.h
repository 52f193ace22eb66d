#pragma once
// Process-level facts the pipeline needs: our id (the lease owner), whether another
// owner is still alive, and the lock that allows one daemon per state database.

#include <cstdint>
#include <filesystem>

#include "core/result.h"

namespace honeyvt::pipeline {

std::int64_t CurrentProcessId();

// The daemon holds the API key in memory for months: it makes itself non-dumpable
// (prctl PR_SET_DUMPABLE 0: no core file, /proc/PID/{environ,mem} closed to other
// processes of the same user, no ptrace attach without CAP_SYS_PTRACE) and sets its core
// size limit to 0. kIo if the kernel refuses.
Status MakeUndumpable();
// True if a process with this id exists (it may belong to another user).
bool ProcessAlive(std::int64_t pid);

// An exclusive advisory lock on "<state>.lock", held for the object's lifetime and
// released by the kernel if the process dies (kill -9 included).
class DaemonLock {
 public:
  // kBusy if another daemon holds it.
  static Result<DaemonLock> Acquire(const std::filesystem::path& state_path);
  DaemonLock(DaemonLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DaemonLock& operator=(DaemonLock&&) = delete;
  ~DaemonLock();

 private:
  explicit DaemonLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace honeyvt::pipeline
