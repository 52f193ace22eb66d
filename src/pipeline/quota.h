#pragma once
// The quota governor: decides when the next VirusTotal request may be sent so that no
// configured window is ever exceeded, and remembers every request in the state database
// so that a restart does not spend the same minute (or day) twice.
//
// Windows are "<requests>/<n><unit>": units s, m, h slide (at most `requests` in any
// interval of that length); d and mo are calendar periods that reset at 00:00 UTC (days
// counted from the Unix epoch, months from January), like VirusTotal's daily and monthly
// quotas. Every request counts: lookups, uploads, polls, comments.
//
// If the server still answers "quota exceeded" (another program shares the key), the
// governor pauses until the window reopens (or Retry-After) and lowers its own estimate of
// the tightest windows until the end of the UTC day (docs/pipeline.md).
//
// Thread safety: not thread-safe; the daemon's one thread owns it.

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/job_store.h"

namespace honeyvt::pipeline {

struct QuotaWindow {
  enum class Kind { kSliding, kUtcDays, kUtcMonths };
  std::string spec;        // as configured, e.g. "500/1d"
  std::int64_t limit = 0;  // requests per window
  Kind kind = Kind::kSliding;
  Duration length{};  // kSliding only
  int periods = 1;    // kUtcDays / kUtcMonths: window length in days / months
};

// Parses the configured windows; kInvalidArgument naming the bad one. An empty list means
// "no limit" (only for tests and private installations).
Result<std::vector<QuotaWindow>> ParseQuotaWindows(const std::vector<std::string>& specs);

// Start and end of the calendar period of `w` containing `t` (kUtcDays/kUtcMonths).
TimePoint PeriodStart(const QuotaWindow& w, TimePoint t);
TimePoint PeriodEnd(const QuotaWindow& w, TimePoint t);

struct WindowUsage {
  std::string spec;
  std::int64_t used = 0;
  std::int64_t limit = 0;  // effective (may be lowered after an unexpected quota error)
  TimePoint opens_at{};    // when the next request fits this window (<= now: fits now)
  TimePoint resets_at{};   // calendar windows: next reset; sliding: when the oldest leaves
};

class QuotaGovernor {
 public:
  // `usage` may be null (nothing persisted). It must outlive the governor.
  QuotaGovernor(std::vector<QuotaWindow> windows, domain::UsageStore* usage);

  // Loads the requests of the current windows from the store and prunes older ones.
  Status Load(TimePoint now);
  // Earliest time >= now at which one more request fits every window and no pause holds.
  TimePoint NextOpening(TimePoint now) const;
  bool Available(TimePoint now) const { return NextOpening(now) <= now; }
  // Available, and one more request keeps every calendar window (day, month) at or below
  // an even pace through its period: used + 1 <= limit * elapsed share of the period.
  // Optional work (refreshes) spends only such quota, so the rest of each day stays for
  // new samples and what is left near the end of a period would otherwise go unused.
  // Same as Available(now) && PaceOpening(now) <= now.
  bool Spare(TimePoint now) const;
  // Earliest time >= now at which the calendar windows' even pace (used + 1 <= limit *
  // elapsed share) allows one more request, counting only the requests made so far; the
  // end of the period if the window is full. Sliding windows and pauses are not considered.
  TimePoint PaceOpening(TimePoint now) const;
  // Requests left in the fullest calendar window (day, month) and when that window resets;
  // room INT64_MAX (and resets_at = now) without calendar windows.
  struct Room {
    std::int64_t room;
    TimePoint resets_at;
  };
  Room CalendarRoom(TimePoint now) const;
  // Counts one request about to be sent at `now`; persisted before it is sent.
  Status Record(TimePoint now, std::string_view kind);
  // The request recorded at `sent` got its answer at `done`. The server counted it when it
  // arrived, somewhere in between; sliding windows move the request to `done` so that a
  // window never holds more than its limit as the server sees it, whatever the latency.
  // The new time is persisted too, so a restart sees the window as the server does.
  Status Settle(TimePoint sent, TimePoint done);
  // The server said "quota exceeded" although the governor saw room.
  void OnQuotaExceeded(TimePoint now, std::optional<std::chrono::seconds> retry_after);
  // Pauses every request until `until` (rate limiting).
  void PauseUntil(TimePoint until);
  TimePoint paused_until() const { return paused_until_; }

  std::vector<WindowUsage> Usage(TimePoint now) const;
  // Estimated time at which `requests` more requests will have been sent at full speed.
  TimePoint EstimateCompletion(TimePoint now, std::int64_t requests) const;
  const std::vector<QuotaWindow>& windows() const { return windows_; }

 private:
  struct State {
    std::deque<TimePoint> recent;         // kSliding: requests inside the window, oldest first
    TimePoint period_start{};             // calendar: the period `count` belongs to
    std::int64_t count = 0;               // calendar: requests in that period
    std::optional<std::int64_t> lowered;  // effective limit after a server quota error
    TimePoint lowered_until{};
  };
  std::int64_t Used(std::size_t i, TimePoint now) const;
  std::int64_t Limit(std::size_t i, TimePoint now) const;
  TimePoint OpensAt(std::size_t i, TimePoint now) const;

  std::vector<QuotaWindow> windows_;
  domain::UsageStore* usage_;
  std::vector<State> state_;
  TimePoint paused_until_{};
  std::optional<std::int64_t> last_request_id_;  // persisted id of the latest Record
  int exceeded_today_ = 0;
  TimePoint exceeded_day_{};
};

}  // namespace honeyvt::pipeline
