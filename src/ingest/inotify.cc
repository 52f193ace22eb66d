#include "ingest/inotify.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace honeyvt::ingest {

Result<Inotify> Inotify::Create() {
  UniqueFd in(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!in.valid()) {
    return MakeError(ErrorCode::kIo, std::string("inotify_init1: ") + std::strerror(errno));
  }
  UniqueFd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid()) {
    return MakeError(ErrorCode::kIo, std::string("eventfd: ") + std::strerror(errno));
  }
  return Inotify(std::move(in), std::move(wake));
}

Status Inotify::Watch(const std::filesystem::path& dir) {
  const int wd =
      ::inotify_add_watch(in_.get(), dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR);
  if (wd < 0) {
    const int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     dir.string() + ": cannot watch: " + std::strerror(err));
  }
  dirs_[wd] = dir;
  return OkStatus();
}

bool Inotify::Watching(const std::filesystem::path& dir) const {
  for (const auto& [wd, d] : dirs_) {
    if (d == dir) return true;
  }
  return false;
}

Result<InotifyEvents> Inotify::Wait(std::chrono::milliseconds timeout) {
  InotifyEvents out;
  std::array<pollfd, 2> fds{{{in_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}}};
  const int n = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  if (n < 0) {
    if (errno == EINTR) return out;
    return MakeError(ErrorCode::kIo, std::string("poll: ") + std::strerror(errno));
  }
  if (fds[1].revents & POLLIN) {
    std::uint64_t count = 0;
    (void)!::read(wake_.get(), &count, sizeof count);
    out.woken = true;
  }
  if (!(fds[0].revents & POLLIN)) return out;
  alignas(inotify_event) std::array<char, std::size_t{64} * 1024> buf{};
  while (true) {
    const ssize_t len = ::read(in_.get(), buf.data(), buf.size());
    if (len <= 0) break;  // EAGAIN: drained
    for (ssize_t off = 0; off < len;) {
      inotify_event ev{};
      std::memcpy(&ev, buf.data() + off, sizeof ev);
      const char* name = buf.data() + off + sizeof(inotify_event);
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev.len);
      if (ev.mask & IN_Q_OVERFLOW) out.overflow = true;
      if (ev.mask & IN_IGNORED) dirs_.erase(ev.wd);  // directory removed: watch is gone
      if (ev.len == 0 || !(ev.mask & (IN_CLOSE_WRITE | IN_MOVED_TO))) continue;
      auto it = dirs_.find(ev.wd);
      if (it == dirs_.end()) continue;
      out.files.push_back(it->second / std::string(name, ::strnlen(name, ev.len)));
    }
  }
  return out;
}

void Inotify::Wake() const {
  const std::uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

}  // namespace honeyvt::ingest
