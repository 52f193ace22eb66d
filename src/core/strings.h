#pragma once
// Small text helpers shared by every module.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace honeyvt {

// True if `s` is exactly `len` hexadecimal digits (either case).
bool IsHex(std::string_view s, std::size_t len);
std::string ToLower(std::string_view s);
std::string Trim(std::string_view s);
std::vector<std::string> Split(std::string_view s, char sep);
// Strict decimal integer parse (optional sign, digits only, no overflow).
std::optional<std::int64_t> ParseInt(std::string_view s);
// Strict decimal floating parse (digits, one optional '.', optional sign).
std::optional<double> ParseDecimal(std::string_view s);
// Lowercase hex encoding of bytes.
std::string HexEncode(std::string_view bytes);

}  // namespace honeyvt
