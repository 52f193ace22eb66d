#pragma once
// md5, sha1 and sha256 of a file or buffer, computed in one pass. The only place that
// includes OpenSSL. Files are read in fixed-size chunks: memory does not grow with size.

#include <cstdint>
#include <filesystem>
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

}  // namespace honeyvt
