#pragma once
// VirusTotal API v2 JSON shapes (tests/fixtures/VT-API.md §4): file/report (found, not found,
// queued, invalid), file/scan, file/rescan, comments/put. Bodies are compact one-line JSON
// with ", " and ": " separators, as the service's Python serialiser wrote them.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tools/vtsim/sample.h"

namespace honeyvt::vtsim {

inline constexpr std::string_view kV2ContentType = "application/json";

// Compact, "{"a": 1, "b": [1, 2]}" style.
std::string V2Dump(const nlohmann::json& body);
std::string V2Permalink(std::string_view sha256, std::int64_t date);

nlohmann::json V2Report(const Sample& sample, std::string_view resource);
nlohmann::json V2NotFound(std::string_view resource);
nlohmann::json V2Invalid(std::string_view resource);
nlohmann::json V2Queued(std::string_view resource, std::string_view scan_id);
nlohmann::json V2Scan(const Sample& sample, std::int64_t date);
nlohmann::json V2Rescan(const Sample& sample, std::int64_t date);
nlohmann::json V2RescanNotFound(std::string_view resource);
nlohmann::json V2CommentReply(int response_code, std::string_view verbose_msg);

}  // namespace honeyvt::vtsim
