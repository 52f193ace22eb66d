#pragma once
// Bounded JSON parsing for bodies from the network (internal to the vt module). Bodies
// are hostile input: ParseJson rejects anything too big, too deep or with too many values
// before it can cost unbounded time or memory, and never throws. Objects keep the
// server's member order (engine order matters to logsql). All errors are kTransient:
// a garbled body is a failed exchange worth retrying, not a fact about the file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace honeyvt::vt {

using Json = nlohmann::ordered_json;

inline constexpr std::size_t kMaxJsonBytes = 64ULL * 1024 * 1024;
inline constexpr int kMaxJsonDepth = 64;
// Members per object and values per document. An object's member lookup is linear (to
// keep order), so the per-object cap bounds the parse time to O(values * cap).
inline constexpr std::size_t kMaxObjectMembers = 2048;
inline constexpr std::size_t kMaxJsonValues = 2'000'000;

Result<Json> ParseJson(std::string_view body);

// Typed access that tolerates absent members and wrong types (they read as absent).
const Json* Member(const Json& object, std::string_view key);
const Json* ObjectMember(const Json& object, std::string_view key);
std::optional<std::string> StringMember(const Json& object, std::string_view key);
std::optional<std::int64_t> IntMember(const Json& object, std::string_view key);
std::string StringOr(const Json& object, std::string_view key, std::string fallback = "");
// A string or an integer rendered as text (v3 analysis ids were once integers).
std::optional<std::string> IdMember(const Json& object, std::string_view key);

// A short, printable excerpt of server text for an error message (control and non-ASCII
// bytes replaced, at most `max` bytes). Callers still Redact() the result.
std::string Excerpt(std::string_view text, std::size_t max = 160);

// kTransient "unexpected VirusTotal reply: <what>".
Error ShapeError(std::string_view what);

}  // namespace honeyvt::vt
