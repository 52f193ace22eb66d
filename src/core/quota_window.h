#pragma once
// The quota window syntax, parsed in one place for the configuration (`quota`), the
// pipeline's governor and vtsim: "<requests>/<n><unit>", e.g. "4/1m", "500/1d",
// "15500/1mo". `<n>` may be left out ("4/m" = "4/1m").
//
//   unit  window
//   s m h sliding: at most <requests> in any interval of n seconds / minutes / hours
//   d     calendar: n UTC days, periods counted from the Unix epoch (1d = the UTC day)
//   mo    calendar: n UTC months, periods counted from January of year 0 (1mo = the month)
//
// Rules: <requests> is an integer from 1 to kMaxQuotaRequests (a window of 0 would never
// let a request through); <n> is an integer >= 1 and the window is at most 100 years
// long; units are lower case; spaces are allowed around the item and around '/', nowhere
// else. Every error is kInvalidArgument with one of the messages of quota_window.cc,
// naming the window and the accepted form.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace honeyvt {

inline constexpr std::int64_t kMaxQuotaRequests = 1'000'000'000'000;

struct QuotaWindowSpec {
  enum class Unit { kSecond, kMinute, kHour, kDay, kMonth };
  std::string text;        // as written, without surrounding spaces
  std::int64_t limit = 0;  // requests per window, >= 1
  std::int64_t count = 1;  // units per window, >= 1
  Unit unit = Unit::kMinute;

  // kDay and kMonth windows reset at period boundaries (UTC); the others slide.
  bool calendar() const { return unit == Unit::kDay || unit == Unit::kMonth; }
  // The length of a sliding window (s, m, h); zero for calendar windows.
  std::chrono::seconds length() const;
};

Result<QuotaWindowSpec> ParseQuotaWindow(std::string_view text);
// Every window of a list; the first bad one is the error.
Result<std::vector<QuotaWindowSpec>> ParseQuotaWindows(std::span<const std::string> texts);
// A comma-separated list ("4/1m, 500/1d"); an empty text is an empty list.
Result<std::vector<QuotaWindowSpec>> ParseQuotaList(std::string_view text);

}  // namespace honeyvt
