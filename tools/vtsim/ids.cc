#include "tools/vtsim/ids.h"

#include <array>
#include <ctime>

#include "core/digest.h"
#include "core/strings.h"

namespace honeyvt::vtsim {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int DecodeChar(char c) {
  const auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::tm UtcTm(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t chunk = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) chunk |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) chunk |= static_cast<std::uint8_t>(bytes[i + 2]);
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::array<int, 4> v{};
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + static_cast<std::size_t>(j)];
      const bool last_group = i + 4 == text.size();
      if (c == '=' && last_group && j >= 2) {
        v[static_cast<std::size_t>(j)] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      v[static_cast<std::size_t>(j)] = DecodeChar(c);
      if (v[static_cast<std::size_t>(j)] < 0) return std::nullopt;
    }
    const std::uint32_t chunk = (static_cast<std::uint32_t>(v[0]) << 18) |
                                (static_cast<std::uint32_t>(v[1]) << 12) |
                                (static_cast<std::uint32_t>(v[2]) << 6) |
                                static_cast<std::uint32_t>(v[3]);
    out += static_cast<char>((chunk >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((chunk >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(chunk & 0xff);
  }
  return out;
}

std::string MakeAnalysisId(std::string_view md5, std::int64_t unix_seconds) {
  return Base64Encode(std::string(md5) + ":" + std::to_string(unix_seconds));
}

std::optional<AnalysisIdParts> ParseAnalysisId(std::string_view id) {
  auto decoded = Base64Decode(id);
  if (!decoded || decoded->size() < 34 || (*decoded)[32] != ':') return std::nullopt;
  const std::string md5 = decoded->substr(0, 32);
  if (!IsHex(md5, 32)) return std::nullopt;
  const std::string digits = decoded->substr(33);
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  auto ts = ParseInt(digits);
  if (!ts) return std::nullopt;
  return AnalysisIdParts{ToLower(md5), *ts};
}

std::string MakeScanId(std::string_view sha256, std::int64_t unix_seconds) {
  return std::string(sha256) + "-" + std::to_string(unix_seconds);
}

std::string FormatScanDate(std::int64_t unix_seconds) {
  const std::tm tm = UtcTm(unix_seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string FormatYmd(std::int64_t unix_seconds) {
  const std::tm tm = UtcTm(unix_seconds);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

std::string KeyLabel(std::string_view api_key) {
  return "k:" + DigestBytes(api_key).sha256.substr(0, 8);
}

std::uint64_t Fnv1a(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (char c : bytes) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace honeyvt::vtsim
