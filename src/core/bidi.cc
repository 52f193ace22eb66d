#include "core/bidi.h"

namespace honeyvt {

bool IsBidiControl(char32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

std::size_t BidiControlAt(std::string_view text, std::size_t pos) {
  const auto b = [&](std::size_t i) {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i]) : 0u;
  };
  if (b(0) == 0xD8 && b(1) == 0x9C) return 2;  // U+061C
  if (b(0) != 0xE2) return 0;
  // U+2000..U+203F is E2 80 80..E2 80 BF; U+2040..U+207F is E2 81 80..E2 81 BF.
  if (b(1) == 0x80 && (b(2) == 0x8E || b(2) == 0x8F || (b(2) >= 0xAA && b(2) <= 0xAE))) return 3;
  if (b(1) == 0x81 && b(2) >= 0xA6 && b(2) <= 0xA9) return 3;
  return 0;
}

void AppendUnicodeEscape(std::string& out, char32_t cp) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
}

std::string EscapeBidi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t n = BidiControlAt(text, pos);
    if (n == 0) {
      out += text[pos++];
      continue;
    }
    const auto c = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    const char32_t cp = n == 2 ? ((c(0) & 0x1Fu) << 6) | (c(1) & 0x3Fu)
                               : ((c(0) & 0x0Fu) << 12) | ((c(1) & 0x3Fu) << 6) | (c(2) & 0x3Fu);
    AppendUnicodeEscape(out, cp);
    pos += n;
  }
  return out;
}

std::string EscapeForLog(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : EscapeBidi(text)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace honeyvt
