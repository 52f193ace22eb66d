#include "pipeline/process.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace honeyvt::pipeline {

std::int64_t CurrentProcessId() { return static_cast<std::int64_t>(::getpid()); }

Status MakeUndumpable() {
  const rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0) {
    return MakeError(ErrorCode::kIo,
                     std::string("setrlimit(RLIMIT_CORE, 0): ") + std::strerror(errno));
  }
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return MakeError(ErrorCode::kIo,
                     std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno));
  }
  return OkStatus();
}

bool ProcessAlive(std::int64_t pid) {
  if (pid <= 0) return false;
  // getpgid fails with ESRCH only when no such process exists (no signal involved).
  return ::getpgid(static_cast<pid_t>(pid)) >= 0 || errno != ESRCH;
}

Result<DaemonLock> DaemonLock::Acquire(const std::filesystem::path& state_path) {
  const std::string path = state_path.string() + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return MakeError(ErrorCode::kIo, path + ": " + std::strerror(errno));
  }
  DaemonLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return MakeError(ErrorCode::kBusy, "another honeyvt run is already working on " +
                                           state_path.string() + " (" + path + " is locked)");
  }
  return lock;
}

DaemonLock::~DaemonLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace honeyvt::pipeline
