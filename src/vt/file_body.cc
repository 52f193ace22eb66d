#include "vt/file_body.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace honeyvt::vt {

FileBody::FileBody(UniqueFd fd, std::int64_t size, std::string sha256, std::string shown_path)
    : fd_(std::move(fd)), size_(size), sha256_(std::move(sha256)), shown_(std::move(shown_path)) {}

Status FileBody::Rewind() {
  offset_ = 0;
  static_cast<void>(digest_.Finish());  // starts over
  return OkStatus();
}

Result<std::size_t> FileBody::Read(char* buffer, std::size_t n) {
  const std::int64_t left = size_ - offset_;
  if (left <= 0 || n == 0) return std::size_t{0};
  const auto want =
      static_cast<std::size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(n)));
  ssize_t got = 0;
  do {
    got = ::pread(fd_.get(), buffer, want, static_cast<off_t>(offset_));
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    return MakeError(ErrorCode::kIo, shown_ + ": read error: " + std::strerror(errno));
  }
  if (got == 0) {
    return MakeError(ErrorCode::kIo, shown_ + ": the file shrank while it was being sent (" +
                                         std::to_string(offset_) + " of " + std::to_string(size_) +
                                         " bytes); upload aborted");
  }
  digest_.Update(buffer, static_cast<std::size_t>(got));
  offset_ += got;
  if (offset_ == size_) {
    const std::string sent = digest_.Finish().sha256;
    if (sent != sha256_) {
      return MakeError(ErrorCode::kIo, shown_ +
                                           ": the file changed while it was being sent "
                                           "(sha256 " +
                                           sent + ", checked " + sha256_ +
                                           "); upload aborted before its last byte");
    }
  }
  return static_cast<std::size_t>(got);
}

}  // namespace honeyvt::vt
