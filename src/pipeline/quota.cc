#include "pipeline/quota.h"

#include <limits>

#include <algorithm>
#include <cctype>

#include "core/quota_window.h"

namespace honeyvt::pipeline {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::sys_days;

std::int64_t MonthIndex(TimePoint t) {
  std::chrono::year_month_day ymd{floor<days>(t)};
  return static_cast<std::int64_t>(static_cast<int>(ymd.year())) * 12 +
         (static_cast<unsigned>(ymd.month()) - 1);
}

TimePoint MonthStart(std::int64_t index) {
  const auto y = std::chrono::year(static_cast<int>(index / 12));
  const auto m = std::chrono::month(static_cast<unsigned>(index % 12) + 1);
  return TimePoint(sys_days(y / m / 1));
}

TimePoint NextUtcMidnight(TimePoint t) { return TimePoint(floor<days>(t) + days(1)); }

}  // namespace

Result<std::vector<QuotaWindow>> ParseQuotaWindows(const std::vector<std::string>& specs) {
  ASSIGN_OR_RETURN(std::vector<QuotaWindowSpec> parsed, honeyvt::ParseQuotaWindows(specs));
  std::vector<QuotaWindow> out;
  for (const QuotaWindowSpec& spec : parsed) {
    QuotaWindow w;
    w.spec = spec.text;
    w.limit = spec.limit;
    if (spec.unit == QuotaWindowSpec::Unit::kDay) {
      w.kind = QuotaWindow::Kind::kUtcDays;
      w.periods = static_cast<int>(spec.count);
    } else if (spec.unit == QuotaWindowSpec::Unit::kMonth) {
      w.kind = QuotaWindow::Kind::kUtcMonths;
      w.periods = static_cast<int>(spec.count);
    } else {
      w.kind = QuotaWindow::Kind::kSliding;
      w.length = spec.length();
    }
    out.push_back(std::move(w));
  }
  return out;
}

TimePoint PeriodStart(const QuotaWindow& w, TimePoint t) {
  if (w.kind == QuotaWindow::Kind::kUtcDays) {
    const std::int64_t d = floor<days>(t).time_since_epoch().count();
    const std::int64_t start = d - (((d % w.periods) + w.periods) % w.periods);
    return TimePoint(sys_days(days(start)));
  }
  const std::int64_t m = MonthIndex(t);
  return MonthStart(m - m % w.periods);
}

TimePoint PeriodEnd(const QuotaWindow& w, TimePoint t) {
  if (w.kind == QuotaWindow::Kind::kUtcDays) return PeriodStart(w, t) + days(w.periods);
  return MonthStart(MonthIndex(PeriodStart(w, t)) + w.periods);
}

QuotaGovernor::QuotaGovernor(std::vector<QuotaWindow> windows, domain::UsageStore* usage)
    : windows_(std::move(windows)), usage_(usage), state_(windows_.size()) {}

Status QuotaGovernor::Load(TimePoint now) {
  if (usage_ == nullptr) return OkStatus();
  Duration longest{};
  TimePoint keep_from = now;
  for (const auto& w : windows_) {
    if (w.kind == QuotaWindow::Kind::kSliding) {
      longest = std::max(longest, w.length);
      keep_from = std::min(keep_from, now - w.length);
    } else {
      keep_from = std::min(keep_from, PeriodStart(w, now));
    }
  }
  ASSIGN_OR_RETURN(std::vector<TimePoint> recent, usage_->RequestsSince(now - longest));
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const auto& w = windows_[i];
    State& s = state_[i];
    if (w.kind == QuotaWindow::Kind::kSliding) {
      s.recent.clear();
      for (TimePoint t : recent) {
        if (t > now - w.length) s.recent.push_back(t);
      }
    } else {
      s.period_start = PeriodStart(w, now);
      ASSIGN_OR_RETURN(s.count, usage_->CountRequestsSince(s.period_start));
    }
  }
  return usage_->PruneRequests(keep_from - std::chrono::hours(1));
}

std::int64_t QuotaGovernor::Used(std::size_t i, TimePoint now) const {
  const auto& w = windows_[i];
  const State& s = state_[i];
  if (w.kind == QuotaWindow::Kind::kSliding) {
    return std::count_if(s.recent.begin(), s.recent.end(),
                         [&](TimePoint t) { return t > now - w.length; });
  }
  return PeriodStart(w, now) == s.period_start ? s.count : 0;
}

std::int64_t QuotaGovernor::Limit(std::size_t i, TimePoint now) const {
  const State& s = state_[i];
  if (s.lowered && now < s.lowered_until) return std::min(windows_[i].limit, *s.lowered);
  return windows_[i].limit;
}

TimePoint QuotaGovernor::OpensAt(std::size_t i, TimePoint now) const {
  const auto& w = windows_[i];
  const std::int64_t used = Used(i, now);
  const std::int64_t limit = Limit(i, now);
  if (used < limit) return now;
  const State& s = state_[i];
  TimePoint opens;
  if (w.kind == QuotaWindow::Kind::kSliding) {
    // The (used - limit + 1)-th oldest request inside the window must leave it first.
    const std::size_t first = s.recent.size() - static_cast<std::size_t>(used);
    opens = s.recent[first + static_cast<std::size_t>(used - limit)] + w.length;
  } else {
    opens = PeriodEnd(w, now);
  }
  // A lowered estimate ends at midnight: the window may open then.
  if (s.lowered && now < s.lowered_until && used < w.limit)
    opens = std::min(opens, s.lowered_until);
  return std::max(opens, now);
}

TimePoint QuotaGovernor::NextOpening(TimePoint now) const {
  TimePoint t = std::max(now, paused_until_);
  // Opening one window can only be delayed by another; iterate to a fixed point.
  for (int round = 0; round < 4; ++round) {
    TimePoint next = t;
    for (std::size_t i = 0; i < windows_.size(); ++i) next = std::max(next, OpensAt(i, t));
    if (next == t) break;
    t = next;
  }
  return t;
}

Status QuotaGovernor::Record(TimePoint now, std::string_view kind) {
  if (usage_ != nullptr) {
    ASSIGN_OR_RETURN(std::int64_t id, usage_->RecordRequest(now, kind));
    last_request_id_ = id;
  }
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const auto& w = windows_[i];
    State& s = state_[i];
    if (w.kind == QuotaWindow::Kind::kSliding) {
      s.recent.push_back(now);
      while (!s.recent.empty() && s.recent.front() <= now - w.length) s.recent.pop_front();
    } else if (PeriodStart(w, now) != s.period_start) {
      s.period_start = PeriodStart(w, now);
      s.count = 1;
    } else {
      ++s.count;
    }
  }
  return OkStatus();
}

Status QuotaGovernor::Settle(TimePoint sent, TimePoint done) {
  if (done <= sent) return OkStatus();
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    if (windows_[i].kind != QuotaWindow::Kind::kSliding) continue;
    auto& recent = state_[i].recent;
    for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
      if (*it == sent) {
        *it = done;
        break;
      }
    }
    std::sort(recent.begin(), recent.end());
  }
  if (usage_ != nullptr && last_request_id_) return usage_->SettleRequest(*last_request_id_, done);
  return OkStatus();
}

void QuotaGovernor::OnQuotaExceeded(TimePoint now,
                                    std::optional<std::chrono::seconds> retry_after) {
  const TimePoint today = TimePoint(floor<days>(now));
  if (today != exceeded_day_) {
    exceeded_day_ = today;
    exceeded_today_ = 0;
  }
  ++exceeded_today_;
  const TimePoint midnight = NextUtcMidnight(now);
  std::optional<Duration> shortest;
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const auto& w = windows_[i];
    State& s = state_[i];
    const bool sliding = w.kind == QuotaWindow::Kind::kSliding;
    if (sliding) shortest = shortest ? std::min(*shortest, w.length) : w.length;
    // Sliding windows: assume the server's is a little tighter than ours. After the third
    // surprise of the day, assume the day is used up too.
    if (sliding || exceeded_today_ >= 3) {
      const std::int64_t used = Used(i, now);
      const std::int64_t lowered =
          sliding ? std::max<std::int64_t>(
                        1, std::min(Limit(i, now) - 1, std::max<std::int64_t>(used, 1)))
                  : used;
      s.lowered = lowered;
      s.lowered_until = midnight;
    }
  }
  TimePoint pause;
  if (retry_after) {
    pause = now + *retry_after;
  } else if (shortest) {
    pause = now + *shortest;
  } else {
    pause = midnight;
  }
  PauseUntil(pause);
}

bool QuotaGovernor::Spare(TimePoint now) const { return Available(now) && PaceOpening(now) <= now; }

TimePoint QuotaGovernor::PaceOpening(TimePoint now) const {
  TimePoint out = now;
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const QuotaWindow& w = windows_[i];
    if (w.kind == QuotaWindow::Kind::kSliding) continue;
    const TimePoint start = PeriodStart(w, now);
    const TimePoint end = PeriodEnd(w, now);
    const auto used = static_cast<double>(Used(i, now) + 1);
    const auto limit = static_cast<double>(Limit(i, now));
    TimePoint at = end;
    if (used <= limit) {
      at = start +
           std::chrono::ceil<Duration>(std::chrono::duration<double>(end - start) * (used / limit));
    }
    out = std::max(out, at);
  }
  return out;
}

QuotaGovernor::Room QuotaGovernor::CalendarRoom(TimePoint now) const {
  Room out{std::numeric_limits<std::int64_t>::max(), now};
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    if (windows_[i].kind == QuotaWindow::Kind::kSliding) continue;
    const std::int64_t room = std::max<std::int64_t>(0, Limit(i, now) - Used(i, now));
    if (room < out.room) out = {room, PeriodEnd(windows_[i], now)};
  }
  return out;
}

void QuotaGovernor::PauseUntil(TimePoint until) { paused_until_ = std::max(paused_until_, until); }

std::vector<WindowUsage> QuotaGovernor::Usage(TimePoint now) const {
  std::vector<WindowUsage> out;
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const auto& w = windows_[i];
    WindowUsage u{w.spec, Used(i, now), Limit(i, now), OpensAt(i, now), now};
    if (w.kind == QuotaWindow::Kind::kSliding) {
      const State& s = state_[i];
      for (TimePoint t : s.recent) {
        if (t > now - w.length) {
          u.resets_at = t + w.length;
          break;
        }
      }
    } else {
      u.resets_at = PeriodEnd(w, now);
    }
    out.push_back(u);
  }
  return out;
}

TimePoint QuotaGovernor::EstimateCompletion(TimePoint now, std::int64_t requests) const {
  TimePoint done = NextOpening(now);
  if (requests <= 0) return now;
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const auto& w = windows_[i];
    const std::int64_t limit = windows_[i].limit;
    const std::int64_t room = std::max<std::int64_t>(0, Limit(i, now) - Used(i, now));
    if (requests <= room) continue;
    const std::int64_t more = requests - room;
    const std::int64_t periods = (more + limit - 1) / limit;  // full windows still needed
    TimePoint t;
    if (w.kind == QuotaWindow::Kind::kSliding) {
      t = now + w.length * periods;
    } else {
      const Duration period = w.kind == QuotaWindow::Kind::kUtcDays
                                  ? Duration(days(w.periods))
                                  : Duration(days(30) * w.periods);
      t = PeriodEnd(w, now) + period * (periods - 1);
    }
    done = std::max(done, t);
  }
  return done;
}

}  // namespace honeyvt::pipeline
