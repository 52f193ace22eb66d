#pragma once
// md5, sha1 and sha256 of a file or buffer, computed in one pass. The only place that
// includes OpenSSL. Files are read in fixed-size chunks: memory does not grow with size.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace honeyvt {

struct ContentDigests {
  std::string md5, sha1, sha256;  // lowercase hex
  std::int64_t size = 0;          // bytes
};

ContentDigests DigestBytes(std::string_view bytes);
// kNotFound for a missing file, kIo for an unreadable one.
Result<ContentDigests> DigestFile(const std::filesystem::path& path);
// Everything from offset 0 to the end of an open file (read with pread: the descriptor's
// offset is left alone). kIo on a read error.
Result<ContentDigests> DigestFd(int fd);

// The three digests computed incrementally (a stream that is checked as it is sent).
class Digester {
 public:
  Digester();
  ~Digester();
  Digester(const Digester&) = delete;
  Digester& operator=(const Digester&) = delete;
  void Update(const char* data, std::size_t n);
  // The digests of everything given so far; the digester starts over afterwards.
  ContentDigests Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace honeyvt
