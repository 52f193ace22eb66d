#include "vt/request_util.h"

#include <algorithm>
#include <system_error>

namespace honeyvt::vt {
namespace {

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

std::string NormalizeBaseUrl(std::string_view base, std::string_view fallback) {
  std::string url(base.empty() ? fallback : base);
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/";
}

std::string EncodePathSegment(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (IsUnreserved(c) || c == '=') {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

Status CheckAnalysisId(std::string_view id) {
  if (id.empty() || id.size() > 512) {
    return MakeError(ErrorCode::kInvalidArgument, "analysis id must be 1..512 characters");
  }
  for (char c : id) {
    if (!IsUnreserved(c) && c != '+' && c != '/' && c != '=' && c != ':') {
      return MakeError(ErrorCode::kInvalidArgument,
                       "analysis id has a character outside "
                       "[A-Za-z0-9+/=_.:~-]");
    }
  }
  return OkStatus();
}

Result<std::int64_t> CheckUploadSize(const BodySource* body, std::int64_t limit) {
  if (body == nullptr) return MakeError(ErrorCode::kInvalidArgument, "an upload without a body");
  const std::int64_t size = body->size();
  if (size > limit) {
    return MakeError(ErrorCode::kTooLarge, "the file has " + std::to_string(size) +
                                               " bytes, over the upload limit of " +
                                               std::to_string(limit));
  }
  return size;
}

std::chrono::milliseconds UploadTimeout(std::chrono::seconds base, std::int64_t bytes) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(base) +
         std::chrono::milliseconds(std::max<std::int64_t>(bytes, 0) * 1000 /
                                   (std::int64_t{64} * 1024));
}

std::string UploadFileName(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  if (name.empty() || name.size() > 100 || name == "." || name == "..") return "sample";
  for (char c : name) {
    if (!IsUnreserved(c) || c == '~') return "sample";
  }
  return name;
}

}  // namespace honeyvt::vt
