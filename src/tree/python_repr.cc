#include "tree/python_repr.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "tree/unicode_printable.h"
#include "tree/utf8.h"

namespace honeyvt::tree {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, char32_t v, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(v >> shift) & 0xF];
}

// Python picks single quotes unless the text has ' and no ".
template <typename Range>
char ChooseQuote(const Range& text) {
  bool single = false, dbl = false;
  for (auto c : text) {
    if (c == '\'') single = true;
    if (c == '"') dbl = true;
  }
  return single && !dbl ? '"' : '\'';
}

}  // namespace

std::string PyFloatRepr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  // sci looks like "-d.ddde+XX".
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exp);
  const int n = static_cast<int>(digits.size());
  if (exp < -4 || exp >= 16) {
    out += digits[0];
    if (n > 1) {
      out += '.';
      out.append(digits, 1);
    }
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += ebuf;
  } else if (exp >= 0) {
    if (n <= exp + 1) {
      out += digits;
      out.append(static_cast<std::size_t>(exp + 1 - n), '0');
      out += ".0";
    } else {
      out.append(digits, 0, static_cast<std::size_t>(exp + 1));
      out += '.';
      out.append(digits, static_cast<std::size_t>(exp + 1));
    }
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-exp - 1), '0');
    out += digits;
  }
  return out;
}

void AppendPyStrRepr(std::string& out, std::u32string_view text) {
  const char quote = ChooseQuote(text);
  out += quote;
  for (char32_t cp : text) {
    if (cp == U'\\' || cp == static_cast<char32_t>(quote)) {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == U'\t') {
      out += "\\t";
    } else if (cp == U'\n') {
      out += "\\n";
    } else if (cp == U'\r') {
      out += "\\r";
    } else if (IsPythonPrintable(cp)) {
      AppendUtf8(out, cp);
    } else if (cp < 0x100) {
      out += "\\x";
      AppendHex(out, cp, 2);
    } else if (cp < 0x10000) {
      out += "\\u";
      AppendHex(out, cp, 4);
    } else {
      out += "\\U";
      AppendHex(out, cp, 8);
    }
  }
  out += quote;
}

std::string PyStrRepr(std::string_view utf8) {
  std::u32string cps;
  for (std::size_t pos = 0; pos < utf8.size();) {
    char32_t cp = 0;
    std::size_t n = DecodeUtf8(utf8, pos, cp);
    if (n == 0) {
      cp = static_cast<unsigned char>(utf8[pos]);
      n = 1;
    }
    cps += cp;
    pos += n;
  }
  std::string out;
  AppendPyStrRepr(out, cps);
  return out;
}

void AppendPyBytesRepr(std::string& out, std::string_view bytes) {
  const char quote = ChooseQuote(bytes);
  out += 'b';
  out += quote;
  for (char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    if (ch == '\\' || ch == quote) {
      out += '\\';
      out += ch;
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (b >= 0x20 && b < 0x7F) {
      out += ch;
    } else {
      out += "\\x";
      AppendHex(out, b, 2);
    }
  }
  out += quote;
}

std::string PyBytesRepr(std::string_view bytes) {
  std::string out;
  AppendPyBytesRepr(out, bytes);
  return out;
}

}  // namespace honeyvt::tree
