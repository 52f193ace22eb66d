#include "tools/vtsim/quota.h"

#include <ctime>

#include "core/quota_window.h"
#include "core/strings.h"

namespace honeyvt::vtsim {
namespace {

// The calendar period `now` falls in: days since the epoch or months since January of
// year 0, divided into periods of w.periods (the pipeline's governor counts the same way).
std::int64_t PeriodOf(const QuotaWindow& w, TimePoint now) {
  const std::int64_t secs = ToUnixSecondsInt(now);
  std::int64_t index = 0;
  if (w.kind == QuotaWindow::Kind::kUtcDay) {
    index = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  } else {
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    index = (static_cast<std::int64_t>(tm.tm_year) + 1900) * 12 + tm.tm_mon;
  }
  return index >= 0 ? index / w.periods : (index - w.periods + 1) / w.periods;
}

}  // namespace

Result<std::vector<QuotaWindow>> ParseQuota(std::string_view spec) {
  std::vector<QuotaWindow> out;
  if (Trim(spec) == "none") return out;
  ASSIGN_OR_RETURN(std::vector<QuotaWindowSpec> parsed, ParseQuotaList(spec));
  for (const QuotaWindowSpec& p : parsed) {
    QuotaWindow w;
    w.limit = p.limit;
    w.text = p.text;
    if (p.unit == QuotaWindowSpec::Unit::kDay) {
      w.kind = QuotaWindow::Kind::kUtcDay;
      w.periods = p.count;
    } else if (p.unit == QuotaWindowSpec::Unit::kMonth) {
      w.kind = QuotaWindow::Kind::kUtcMonth;
      w.periods = p.count;
    } else {
      w.length = p.length();
    }
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

std::vector<std::int64_t> QuotaLedger::Used(const std::string& key, TimePoint now) {
  auto& counters = accounts_[key];
  counters.resize(windows_.size());
  std::vector<std::int64_t> used;
  for (std::size_t i = 0; i < windows_.size(); ++i)
    used.push_back(CountIn(counters[i], windows_[i], now));
  return used;
}

}  // namespace honeyvt::vtsim
