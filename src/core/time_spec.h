#pragma once
// Parses the time filters users type (tree -t/-T, report --since/--until):
//   epoch seconds          1286470647, 1286470647.25
//   ISO-8601 date/time     2010-10-07, 2010-10-07T16:57[:27[.fff]][Z|+HH:MM|-HH:MM]
//                          (a space may replace the T; without a zone: local time per TZ)
//   relative age           90s, 30m, 24h, 7d, 2w  (now minus the age)
// Anything else is kInvalidArgument naming the value and the accepted forms.

#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace honeyvt {

inline constexpr std::string_view kTimeSpecForms =
    "epoch seconds (1286470647), ISO-8601 date or date-time (2010-10-07, "
    "2010-10-07T16:57:27Z, 2010-10-07 16:57:27+02:00), or an age (90s, 30m, 24h, 7d, 2w)";

// Returns Unix seconds (may be fractional).
Result<double> ParseTimeSpec(std::string_view text, TimePoint now);

// UTC "YYYY-MM-DD HH:MM:SS" -> Unix seconds (VirusTotal v2 scan_date).
Result<std::int64_t> ParseUtcDateTime(std::string_view text);
// Unix seconds -> UTC "YYYY-MM-DD HH:MM:SS".
std::string FormatUtcDateTime(std::int64_t unix_seconds);

}  // namespace honeyvt
