#pragma once
// Strict UTF-8 decoding (no overlongs, no surrogates, nothing above U+10FFFF).

#include <cstddef>
#include <string>
#include <string_view>

namespace honeyvt::tree {

// Decodes the code point at `text[pos]`. On success stores it in `cp`, returns the
// number of bytes (1-4). Returns 0 when the bytes at `pos` are not valid UTF-8.
std::size_t DecodeUtf8(std::string_view text, std::size_t pos, char32_t& cp);

// Appends the UTF-8 encoding of `cp` (surrogates are encoded as-is, like Python's
// "surrogatepass", so lone surrogates from JSON survive into the repr).
void AppendUtf8(std::string& out, char32_t cp);

}  // namespace honeyvt::tree
