#pragma once
// Unicode bidirectional controls in attacker-controlled text (the "Trojan Source" trick,
// CVE-2021-42574): U+061C, U+200E-U+200F, U+202A-U+202E and U+2066-U+2069 reorder what a
// terminal or a spreadsheet shows, so "evil\u202etxt.exe" displays as "evilexe.txt".
// Human-readable output (tree, reports, status) writes each as the six ASCII characters
// "\u202e" (lower-case hex, the way Python's repr writes a non-printable character).

#include <cstddef>
#include <string>
#include <string_view>

namespace honeyvt {

bool IsBidiControl(char32_t cp);

// The length in bytes of the UTF-8 encoded bidi control starting at text[pos], 0 if
// there is none (every one of them is 2 or 3 bytes long).
std::size_t BidiControlAt(std::string_view text, std::size_t pos);

// Appends "\uXXXX" for `cp` (lower-case hex, 4 digits).
void AppendUnicodeEscape(std::string& out, char32_t cp);

// `text` with every bidi control escaped and everything else unchanged.
std::string EscapeBidi(std::string_view text);

// For log lines: EscapeBidi, and C0 controls and DEL as \xNN (a file name with a newline
// cannot forge a second log line).
std::string EscapeForLog(std::string_view text);

}  // namespace honeyvt
