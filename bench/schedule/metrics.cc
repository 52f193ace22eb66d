#include "schedule/metrics.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>

#include "pipeline/quota.h"

namespace honeyvt::bench {
namespace {

double Hours(Duration d) { return std::chrono::duration<double>(d).count() / 3600; }

// Time of the n-th request of a sender that always sends at the earliest moment the
// windows allow (the ideal), and how many such requests fit before `until`.
struct IdealSender {
  pipeline::QuotaGovernor gov;
  TimePoint t;
  std::int64_t sent = 0;
  IdealSender(const Scenario& sc)
      : gov(*pipeline::ParseQuotaWindows(sc.quota), nullptr), t(sc.start) {}
  TimePoint Next() {
    t = gov.NextOpening(t);
    (void)gov.Record(t, "ideal");
    ++sent;
    return t;
  }
};

TimePoint IdealFinish(const Scenario& sc, std::int64_t calls) {
  IdealSender s(sc);
  TimePoint t = sc.start;
  for (std::int64_t i = 0; i < calls; ++i) t = s.Next();
  return t;
}

std::int64_t IdealCapacity(const Scenario& sc, TimePoint until) {
  IdealSender s(sc);
  std::int64_t n = 0;
  while (s.Next() <= until) ++n;
  return n;
}

}  // namespace

PollPlan FewestPolls(const Scenario& sc) {
  std::vector<std::int64_t> delays;  // seconds, sorted
  for (const auto& s : sc.samples) {
    if (!s.known) delays.push_back(AnalysisDelay(s.sha256).count());
  }
  PollPlan best;
  if (delays.empty()) return best;
  std::sort(delays.begin(), delays.end());
  const auto n = static_cast<std::int64_t>(delays.size());
  std::vector<std::int64_t> prefix(delays.size() + 1, 0);  // sums of the sorted delays
  for (std::size_t i = 0; i < delays.size(); ++i) prefix[i + 1] = prefix[i] + delays[i];
  const std::int64_t last = delays.back();
  // Analyses done by offset t, and the polls and verdict-time sum of a set of offsets
  // (sorted, the last one `last`, so every sample gets its verdict).
  auto done_by = [&](std::int64_t t) {
    return static_cast<std::int64_t>(std::upper_bound(delays.begin(), delays.end(), t) -
                                     delays.begin());
  };
  auto evaluate = [&](const std::vector<std::int64_t>& offsets) {
    std::int64_t polls = 0, ttv = 0, before = 0;
    for (std::int64_t t : offsets) {
      const std::int64_t done = done_by(t);
      polls += n - before;         // every analysis still running is polled at t
      ttv += (done - before) * t;  // those finished since the last offset get it at t
      before = done;
    }
    return std::pair{polls, ttv};
  };
  const double allowed = kVerdictTarget * static_cast<double>(prefix.back());
  std::vector<std::int64_t> grid;
  for (std::int64_t t = delays.front(); t < last; t += 5) grid.push_back(t);
  best.polls = std::numeric_limits<std::int64_t>::max();
  auto consider = [&](std::vector<std::int64_t> offsets) {
    offsets.push_back(last);
    const auto [polls, ttv] = evaluate(offsets);
    if (static_cast<double>(ttv) <= allowed && polls < best.polls) best = {polls, offsets};
  };
  const std::size_t g = grid.size();
  consider({});
  for (std::size_t a = 0; a < g; ++a) {
    consider({grid[a]});
    for (std::size_t b = a + 1; b < g; ++b) {
      consider({grid[a], grid[b]});
      for (std::size_t c = b + 1; c < g; ++c) consider({grid[a], grid[b], grid[c]});
    }
  }
  return best;
}

std::int64_t MinimalCalls(const Scenario& sc) {
  const std::int64_t batch = sc.api_version == 2 ? 4 : 1;
  std::int64_t unknown = 0;
  for (const auto& s : sc.samples) unknown += s.known ? 0 : 1;
  const auto n = static_cast<std::int64_t>(sc.samples.size());
  // One lookup per sample and the fewest polls share batched requests (v2 answers polls
  // and lookups together); upload and comment are one request each.
  const std::int64_t reports = n + (unknown > 0 ? FewestPolls(sc).polls : 0);
  return (reports + batch - 1) / batch + 2 * unknown;
}

Figures Evaluate(const Scenario& sc, const RunResult& run) {
  Figures f;
  f.verdicts = static_cast<std::int64_t>(run.verdicts.size());
  f.calls = run.calls.Total();
  f.refused = run.calls.refused;
  f.calls_per_verdict = f.verdicts ? static_cast<double>(f.calls) / f.verdicts : 0;
  f.polls_per_upload = run.uploads ? static_cast<double>(run.calls.polls) / run.uploads : 0;
  f.polled_per_upload = run.uploads ? static_cast<double>(run.calls.polled) / run.uploads : 0;
  TimePoint last = sc.start;
  for (const auto& v : run.verdicts) last = std::max(last, v.at);
  const TimePoint end = sc.horizon.count() > 0 ? sc.start + sc.horizon : last;
  f.makespan_h = Hours(last - sc.start);
  f.ideal_h = Hours(IdealFinish(sc, MinimalCalls(sc)) - sc.start);
  f.own_ideal_h = Hours(IdealFinish(sc, f.calls) - sc.start);
  const std::int64_t accepted = f.calls - f.refused;
  const std::int64_t capacity = IdealCapacity(sc, end);
  f.utilisation = capacity ? static_cast<double>(accepted) / static_cast<double>(capacity) : 0;
  // Time to verdict of uploaded samples against their analysis time; fresh-sample latency.
  std::map<std::string, const SimSample*> by_md5;
  for (const auto& s : sc.samples) by_md5[s.md5] = &s;
  double ttv = 0, analysis = 0;
  std::int64_t fresh_total = 0;
  std::vector<double> fresh_minutes;
  for (const auto& s : sc.samples) fresh_total += s.fresh ? 1 : 0;
  for (const auto& v : run.verdicts) {
    const SimSample& s = *by_md5.at(v.md5);
    if (s.fresh)
      fresh_minutes.push_back(std::chrono::duration<double>(v.at - s.arrives).count() / 60);
    if (!s.known && v.uploaded) {
      ttv += std::chrono::duration<double>(v.at - *v.uploaded).count();
      analysis += static_cast<double>(AnalysisDelay(s.sha256).count());
    }
  }
  f.verdict_vs_analysis = analysis > 0 ? ttv / analysis : 0;
  if (fresh_total > 0) {
    f.fresh_verdicts = static_cast<double>(fresh_minutes.size()) / static_cast<double>(fresh_total);
    if (!fresh_minutes.empty()) {
      std::nth_element(fresh_minutes.begin(), fresh_minutes.begin() + fresh_minutes.size() / 2,
                       fresh_minutes.end());
      f.fresh_median_min = fresh_minutes[fresh_minutes.size() / 2];
    }
  }
  return f;
}

void PrintHeader() {
  std::printf("%-9s %-3s %-10s %8s %7s %7s %6s %6s %10s %8s %6s %6s %7s %9s %6s %6s %9s\n",
              "scenario", "api", "policy", "verdicts", "calls", "refused", "c/v", "util%",
              "makespan_h", "ideal_h", "ratio", "ratio2", "poll/up", "polled/up", "ttv/an",
              "fresh%", "fresh_min");
}

void PrintRow(const Scenario& sc, const RunResult& run, const Figures& f) {
  const bool finite = sc.horizon.count() == 0;  // makespan ratios need a finished run
  std::printf(
      "%-9s v%-2d %-10s %8lld %7lld %7lld %6.2f %6.1f %10.2f %8.2f %6.3f %6.3f %7.2f %9.2f %6.3f "
      "%6.1f %9.1f\n",
      sc.name.c_str(), sc.api_version, run.policy.c_str(), static_cast<long long>(f.verdicts),
      static_cast<long long>(f.calls), static_cast<long long>(f.refused), f.calls_per_verdict,
      100 * f.utilisation, f.makespan_h, f.ideal_h,
      finite && f.ideal_h > 0 ? f.makespan_h / f.ideal_h : 0,
      finite && f.own_ideal_h > 0 ? f.makespan_h / f.own_ideal_h : 0, f.polls_per_upload,
      f.polled_per_upload, f.verdict_vs_analysis, 100 * f.fresh_verdicts, f.fresh_median_min);
}

}  // namespace honeyvt::bench
