#pragma once
// Identifiers and date strings in VirusTotal's formats (see tests/fixtures/VT-API.md §3):
// v3 analysis ids (standard base64 of "<md5>:<unix seconds>"), v2 scan ids
// ("<sha256>-<unix seconds>"), v2 scan dates, engine update stamps, comment ids, and the
// label under which the simulator reports an API key (never the key itself).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace honeyvt::vtsim {

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with '=' padding; nullopt for anything malformed.
std::optional<std::string> Base64Decode(std::string_view text);

std::string MakeAnalysisId(std::string_view md5, std::int64_t unix_seconds);
struct AnalysisIdParts {
  std::string md5;
  std::int64_t unix_seconds = 0;
};
// nullopt unless `id` decodes to "<32 hex>:<digits>".
std::optional<AnalysisIdParts> ParseAnalysisId(std::string_view id);

std::string MakeScanId(std::string_view sha256, std::int64_t unix_seconds);
// "YYYY-MM-DD HH:MM:SS" in UTC.
std::string FormatScanDate(std::int64_t unix_seconds);
// "YYYYMMDD" in UTC.
std::string FormatYmd(std::int64_t unix_seconds);

// Label used in /_sim/log for an API key: "k:" + the first 8 hex digits of its sha256.
std::string KeyLabel(std::string_view api_key);

// 64-bit FNV-1a; the simulator's deterministic seed source (not for security).
std::uint64_t Fnv1a(std::string_view bytes, std::uint64_t seed = 1469598103934665603ULL);

}  // namespace honeyvt::vtsim
