#pragma once
// Helpers shared by the v3 and v2 clients: URL building and the local checks an upload
// makes before any request (internal to the vt module).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"
#include "vt/transport.h"

namespace honeyvt::vt {

// `base` (or `fallback` when empty) with exactly one trailing slash.
std::string NormalizeBaseUrl(std::string_view base, std::string_view fallback);

// Percent-encodes everything but RFC 3986 unreserved characters (and '='), so an id
// with '/' or '+' (base64) stays one path segment.
std::string EncodePathSegment(std::string_view text);

// An analysis / scan id from a caller: 1..512 chars of [A-Za-z0-9+/=_.:-], else
// kInvalidArgument (it goes into a URL or a form field).
Status CheckAnalysisId(std::string_view id);

// The size of an upload's body if it may be sent: kInvalidArgument without a body,
// kTooLarge when over `limit` bytes (no request is made).
Result<std::int64_t> CheckUploadSize(const BodySource* body, std::int64_t limit);

// Time limit for uploading `bytes`: `base` plus one second per 64 KiB (a stalled upload
// is still cut off by the transport's low-speed abort).
std::chrono::milliseconds UploadTimeout(std::chrono::seconds base, std::int64_t bytes);

// The multipart filename: the file's base name when it is plain ASCII [A-Za-z0-9._-]
// (at most 100 chars), else "sample". Never needs RFC 5987 encoding (VT rejects it).
std::string UploadFileName(const std::filesystem::path& path);

}  // namespace honeyvt::vt
