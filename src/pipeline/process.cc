#include "pipeline/process.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace honeyvt::pipeline {

std::int64_t CurrentProcessId() { return static_cast<std::int64_t>(::getpid()); }

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
