#include "core/quota_window.h"

#include "core/strings.h"

namespace honeyvt {
namespace {

constexpr std::int64_t kSecondsPerYear = 31'556'952;  // 365.2425 days
constexpr std::int64_t kMaxWindowSeconds = 100 * kSecondsPerYear;

struct UnitDef {
  std::string_view name;
  QuotaWindowSpec::Unit unit;
  std::int64_t seconds;  // approximate for months (only for the 100-year bound)
};
constexpr UnitDef kUnits[] = {
    {"s", QuotaWindowSpec::Unit::kSecond, 1},
    {"m", QuotaWindowSpec::Unit::kMinute, 60},
    {"h", QuotaWindowSpec::Unit::kHour, 3600},
    {"d", QuotaWindowSpec::Unit::kDay, 86400},
    {"mo", QuotaWindowSpec::Unit::kMonth, kSecondsPerYear / 12},
};

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::chrono::seconds QuotaWindowSpec::length() const {
  switch (unit) {
    case Unit::kSecond:
      return std::chrono::seconds(count);
    case Unit::kMinute:
      return std::chrono::seconds(count * 60);
    case Unit::kHour:
      return std::chrono::seconds(count * 3600);
    case Unit::kDay:
    case Unit::kMonth:
      break;
  }
  return std::chrono::seconds(0);
}

Result<QuotaWindowSpec> ParseQuotaWindow(std::string_view raw) {
  const std::string text = Trim(raw);
  auto bad = [&](std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "quota window '" + text + "': " + std::string(why) +
                         " (want <requests>/<n><unit> with unit s, m, h, d or mo, e.g. \"4/1m\", "
                         "\"500/1d\", \"15500/1mo\")");
  };
  if (text.empty()) return bad("empty");
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) return bad("no '/'");
  if (text.find('/', slash + 1) != std::string::npos) return bad("more than one '/'");
  const std::string requests = Trim(std::string_view(text).substr(0, slash));
  const std::string span = Trim(std::string_view(text).substr(slash + 1));
  if (!AllDigits(requests)) return bad("the request count must be a whole number");
  const auto limit = ParseInt(requests);
  if (!limit || *limit < 1 || *limit > kMaxQuotaRequests) {
    return bad("the request count must be from 1 to " + std::to_string(kMaxQuotaRequests));
  }
  std::size_t digits = 0;
  while (digits < span.size() && span[digits] >= '0' && span[digits] <= '9') ++digits;
  const std::string_view unit_text = std::string_view(span).substr(digits);
  const UnitDef* unit = nullptr;
  for (const UnitDef& u : kUnits) {
    if (u.name == unit_text) unit = &u;
  }
  if (unit == nullptr) {
    return bad(unit_text.empty() ? std::string("no unit")
                                 : "unknown unit '" + std::string(unit_text) + "'");
  }
  std::int64_t count = 1;
  if (digits > 0) {
    // Only digits here: a failed parse is an overflow.
    const auto n = ParseInt(std::string_view(span).substr(0, digits));
    if (!n || *n > kMaxWindowSeconds / unit->seconds) {
      return bad("the window may be at most 100 years");
    }
    if (*n < 1) return bad("the length must be at least 1");
    count = *n;
  }
  QuotaWindowSpec w;
  w.text = text;
  w.limit = *limit;
  w.count = count;
  w.unit = unit->unit;
  return w;
}

Result<std::vector<QuotaWindowSpec>> ParseQuotaWindows(std::span<const std::string> texts) {
  std::vector<QuotaWindowSpec> out;
  out.reserve(texts.size());
  for (const std::string& t : texts) {
    ASSIGN_OR_RETURN(QuotaWindowSpec w, ParseQuotaWindow(t));
    out.push_back(std::move(w));
  }
  return out;
}

Result<std::vector<QuotaWindowSpec>> ParseQuotaList(std::string_view text) {
  if (Trim(text).empty()) return std::vector<QuotaWindowSpec>();
  const std::vector<std::string> items = Split(text, ',');
  return ParseQuotaWindows(items);
}

}  // namespace honeyvt
