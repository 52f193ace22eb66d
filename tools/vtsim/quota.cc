#include "tools/vtsim/quota.h"

#include <ctime>

#include "core/strings.h"

namespace honeyvt::vtsim {
namespace {

std::int64_t PeriodOf(const QuotaWindow& w, TimePoint now) {
  const std::int64_t secs = ToUnixSecondsInt(now);
  if (w.kind == QuotaWindow::Kind::kUtcDay) {
    return secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return static_cast<std::int64_t>(tm.tm_year) * 12 + tm.tm_mon;
}

}  // namespace

Result<std::vector<QuotaWindow>> ParseQuota(std::string_view spec) {
  std::vector<QuotaWindow> out;
  const std::string trimmed = Trim(spec);
  if (trimmed.empty() || trimmed == "none") return out;
  for (const std::string& raw : Split(trimmed, ',')) {
    const std::string item = Trim(raw);
    const auto bad = [&](const std::string& why) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "quota window \"" + item + "\": " + why +
                           " (expected <requests>/<n><unit>, unit s, m, h, d or mo, e.g. 4/1m)");
    };
    const auto slash = item.find('/');
    if (slash == std::string::npos) return bad("missing '/'");
    auto limit = ParseInt(item.substr(0, slash));
    if (!limit || *limit < 0) return bad("bad request count");
    std::string len = item.substr(slash + 1);
    std::size_t digits = 0;
    while (digits < len.size() && len[digits] >= '0' && len[digits] <= '9') ++digits;
    auto n = digits == 0 ? std::optional<std::int64_t>(1) : ParseInt(len.substr(0, digits));
    if (!n || *n <= 0) return bad("bad length");
    const std::string unit = len.substr(digits);
    QuotaWindow w;
    w.limit = *limit;
    w.text = item;
    if (unit == "s")
      w.length = std::chrono::seconds(*n);
    else if (unit == "m" || unit == "min")
      w.length = std::chrono::minutes(*n);
    else if (unit == "h")
      w.length = std::chrono::hours(*n);
    else if (unit == "d" && *n == 1)
      w.kind = QuotaWindow::Kind::kUtcDay;
    else if (unit == "d")
      w.length = std::chrono::hours(24 * *n);
    else if (unit == "mo" && *n == 1)
      w.kind = QuotaWindow::Kind::kUtcMonth;
    else if (unit == "mo")
      return bad("only 1mo (the UTC calendar month) is supported");
    else
      return bad("unknown unit \"" + unit + "\"");
    out.push_back(std::move(w));
  }
  return out;
}

std::int64_t QuotaLedger::CountIn(Counter& c, const QuotaWindow& w, TimePoint now) {
  if (w.kind == QuotaWindow::Kind::kSliding) {
    while (!c.stamps.empty() && c.stamps.front() <= now - w.length) c.stamps.pop_front();
    return static_cast<std::int64_t>(c.stamps.size());
  }
  const std::int64_t period = PeriodOf(w, now);
  if (period != c.period) {
    c.period = period;
    c.count = 0;
  }
  return c.count;
}

QuotaLedger::Verdict QuotaLedger::Charge(const std::string& key, int cost, TimePoint now) {
  auto& counters = accounts_[key];
  counters.resize(windows_.size());
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    if (CountIn(counters[i], windows_[i], now) + cost > windows_[i].limit) {
      return {false, windows_[i].text};
    }
  }
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    if (windows_[i].kind == QuotaWindow::Kind::kSliding) {
      for (int k = 0; k < cost; ++k) counters[i].stamps.push_back(now);
    } else {
      counters[i].count += cost;
    }
  }
  return {};
}

void QuotaLedger::Spend(const std::string& key, int cost, TimePoint now) {
  auto& counters = accounts_[key];
  counters.resize(windows_.size());
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    CountIn(counters[i], windows_[i], now);
    if (windows_[i].kind == QuotaWindow::Kind::kSliding) {
      for (int k = 0; k < cost; ++k) counters[i].stamps.push_back(now);
    } else {
      counters[i].count += cost;
    }
  }
}

std::vector<std::int64_t> QuotaLedger::Used(const std::string& key, TimePoint now) {
  auto& counters = accounts_[key];
  counters.resize(windows_.size());
  std::vector<std::int64_t> used;
  for (std::size_t i = 0; i < windows_.size(); ++i)
    used.push_back(CountIn(counters[i], windows_[i], now));
  return used;
}

}  // namespace honeyvt::vtsim
