#include "tree/sink.h"

#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace honeyvt::tree {
namespace {
constexpr std::size_t kBufferSize = 64 * 1024;
constexpr std::string_view kBlanks =
    "                                                                "
    "                                                                ";
}  // namespace

void Sink::Spaces(std::size_t n) {
  while (n > 0 && ok()) {
    const std::size_t chunk = n < kBlanks.size() ? n : kBlanks.size();
    Write(kBlanks.substr(0, chunk));
    n -= chunk;
  }
}

FdSink::~FdSink() { Drain(); }

void FdSink::Write(std::string_view bytes) {
  if (!ok()) return;
  buffer_.append(bytes);
  if (!held_ && buffer_.size() >= kBufferSize) Drain();
}

void FdSink::Release() {
  held_ = false;
  if (buffer_.size() >= kBufferSize) Drain();
}

void FdSink::Drain() {
  std::size_t done = 0;
  while (done < buffer_.size() && ok()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EPIPE) {
      closed_ = true;
    } else {
      failed_ = true;
      errno_ = errno;
    }
  }
  buffer_.clear();
}

Status FdSink::Flush() {
  Drain();
  if (failed_) {
    return MakeError(ErrorCode::kIo, std::string("cannot write output: ") + std::strerror(errno_));
  }
  return OkStatus();
}

}  // namespace honeyvt::tree
