#pragma once
// Output safety for attacker-controlled strings.
//
// Terminal text: control characters (C0, DEL, and C1 U+0080..U+009F) and bytes that are
// not valid UTF-8 are written as \xNN (one per byte), so no database string can move the
// cursor, change colours or retitle the terminal; Unicode bidirectional controls
// (core/bidi.h: U+061C, U+200E-F, U+202A-E, U+2066-9) are written as \u202e, so none can
// reorder what the line shows. Every other byte, including valid multi-byte UTF-8 and
// backslashes, is copied unchanged, so printable text stays byte-identical to the
// reference output.
//
// JSON: strings are always valid JSON; control characters and bidi controls use \uNNNN
// (the same string once decoded), invalid UTF-8 bytes become the six characters \\xNN (a
// literal backslash-x in the decoded string).

#include <string>
#include <string_view>

namespace honeyvt::tree {

void AppendTerminalSafe(std::string& out, std::string_view text);
// True if AppendTerminalSafe would change `text` (fast path check).
bool NeedsTerminalEscape(std::string_view text);

// Appends `text` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace honeyvt::tree
