#pragma once
// The body of an upload: a sample file the caller opened and checked (pipeline/
// sample_upload.h opens it below its folder without following links and hashes it), read
// through that descriptor only and verified while it is sent. The bytes are read with
// pread from offset 0 up to the size fixed at construction; a sha256 of everything read
// is kept, and the last read is handed over only if the whole content hashes to the
// expected sha256. A file rewritten in place between the caller's check and the send, or
// truncated, therefore makes the transfer fail before its last byte leaves (the server
// gets an incomplete multipart body and rejects it), with the reason in the error.
//
// Not thread-safe (one transfer at a time); owns the descriptor.

#include <cstdint>
#include <memory>
#include <string>

#include "core/digest.h"
#include "core/unique_fd.h"
#include "vt/transport.h"

namespace honeyvt::vt {

class FileBody final : public BodySource {
 public:
  // `sha256`: lowercase hex of the content the caller checked.
  FileBody(UniqueFd fd, std::int64_t size, std::string sha256, std::string shown_path);

  std::int64_t size() const override { return size_; }
  Status Rewind() override;
  Result<std::size_t> Read(char* buffer, std::size_t n) override;

 private:
  UniqueFd fd_;
  std::int64_t size_;
  std::string sha256_;
  std::string shown_;  // for messages
  std::int64_t offset_ = 0;
  Digester digest_;
};

}  // namespace honeyvt::vt
