#pragma once
// Reproductions of Python's repr() for the value kinds readlogsqltree prints:
// floats (shortest round-trip), str (profile strings) and bytes (BLOB mssql commands).

#include <cstdint>
#include <string>
#include <string_view>

namespace honeyvt::tree {

// repr(float): shortest round-trip digits, at least one decimal ("11.0"), exponent form
// below 1e-4 or from 1e16 ("1e-05", "1e+16"), "inf", "-inf", "nan".
std::string PyFloatRepr(double v);
// repr(str) of a sequence of code points (may include lone surrogates from JSON).
void AppendPyStrRepr(std::string& out, std::u32string_view text);
// repr(str) of UTF-8 text; invalid bytes are treated as U+FFFD-free \xNN code points
// (U+0080..U+00FF), which Python would never produce but keeps the output unambiguous.
std::string PyStrRepr(std::string_view utf8);
// repr(bytes): b'...'.
std::string PyBytesRepr(std::string_view bytes);
void AppendPyBytesRepr(std::string& out, std::string_view bytes);

}  // namespace honeyvt::tree
