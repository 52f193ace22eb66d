#pragma once
// Per-API-key quota accounting on the simulator's clock.
//
// A quota is a list of windows "<requests>/<n><unit>", e.g. "4/1m,500/1d,15500/1mo", in
// the syntax of core/quota_window.h (the parser honeyvt's configuration uses too):
//   - s, m, h are SLIDING windows: a request is refused if `requests` requests were
//     accepted in the preceding length;
//   - d and mo are calendar periods, as in honeyvt's governor: "1d" is the UTC day (resets
//     at 00:00 UTC), "1mo" the UTC month (resets at 00:00 UTC on the 1st), as VirusTotal
//     documents; "Nd" / "Nmo" are periods of N days from the epoch / N months from
//     January of year 0.
// Only accepted requests consume quota; a refused request costs nothing. A request may
// cost more than 1 (v2 batches in per-item mode). Not thread-safe (owner serialises).

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace honeyvt::vtsim {

struct QuotaWindow {
  enum class Kind { kSliding, kUtcDay, kUtcMonth };
  std::int64_t limit = 0;
  Kind kind = Kind::kSliding;
  Duration length{};         // for kSliding
  std::int64_t periods = 1;  // kUtcDay / kUtcMonth: days / months per period
  std::string text;          // as written, e.g. "4/1m"
};

// Parses "4/1m,500/1d,15500/1mo"; "" or "none" means unlimited.
Result<std::vector<QuotaWindow>> ParseQuota(std::string_view spec);

class QuotaLedger {
 public:
  explicit QuotaLedger(std::vector<QuotaWindow> windows) : windows_(std::move(windows)) {}

  struct Verdict {
    bool allowed = true;
    std::string exceeded;  // the window that refused, e.g. "4/1m"
  };
  // Charges `cost` requests to `key` at `now` if every window has room.
  Verdict Charge(const std::string& key, int cost, TimePoint now);
  // Requests counted in each window for `key` at `now`, in window order.
  std::vector<std::int64_t> Used(const std::string& key, TimePoint now);
  const std::vector<QuotaWindow>& windows() const { return windows_; }
  void Reset() { accounts_.clear(); }

 private:
  struct Counter {
    std::deque<TimePoint> stamps;  // sliding windows
    std::int64_t period = -1;      // calendar windows: day or month number
    std::int64_t count = 0;
  };
  std::int64_t CountIn(Counter& c, const QuotaWindow& w, TimePoint now);

  std::vector<QuotaWindow> windows_;
  std::map<std::string, std::vector<Counter>> accounts_;
};

}  // namespace honeyvt::vtsim
