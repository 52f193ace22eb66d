#include "tree/escape.h"

#include "core/bidi.h"
#include "tree/utf8.h"

namespace honeyvt::tree {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendByteEscape(std::string& out, unsigned char b) {
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

}  // namespace

bool NeedsTerminalEscape(std::string_view text) {
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7F) return true;
  }
  return false;
}

void AppendTerminalSafe(std::string& out, std::string_view text) {
  if (!NeedsTerminalEscape(text)) {
    out += text;
    return;
  }
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const std::size_t n = DecodeUtf8(text, pos, cp);
    if (n == 0 || IsControl(cp)) {
      const std::size_t len = n == 0 ? 1 : n;
      for (std::size_t i = 0; i < len; ++i) {
        AppendByteEscape(out, static_cast<unsigned char>(text[pos + i]));
      }
      pos += len;
      continue;
    }
    if (IsBidiControl(cp)) {
      AppendUnicodeEscape(out, cp);  // \u202e: a terminal would reorder the line
      pos += n;
      continue;
    }
    out.append(text.substr(pos, n));
    pos += n;
  }
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const std::size_t n = DecodeUtf8(text, pos, cp);
    if (n == 0) {
      out += "\\\\x";
      const auto b = static_cast<unsigned char>(text[pos]);
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
      ++pos;
      continue;
    }
    switch (cp) {
      case U'"':
        out += "\\\"";
        break;
      case U'\\':
        out += "\\\\";
        break;
      case U'\n':
        out += "\\n";
        break;
      case U'\r':
        out += "\\r";
        break;
      case U'\t':
        out += "\\t";
        break;
      default:
        if (IsControl(cp) || cp == 0x2028 || cp == 0x2029 || IsBidiControl(cp)) {
          AppendUnicodeEscape(out, cp);
        } else {
          out.append(text.substr(pos, n));
        }
    }
    pos += n;
  }
  out += '"';
}

}  // namespace honeyvt::tree
