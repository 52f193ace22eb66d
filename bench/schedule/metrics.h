#pragma once
// What one simulated run produced, and the figures issue #9 asks for.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "schedule/scenario.h"
#include "schedule/sim_vt.h"

namespace honeyvt::bench {

struct Verdict {
  std::string md5;
  TimePoint at{};
  std::optional<TimePoint> uploaded;  // when its upload was accepted, if it was uploaded
};

struct RunResult {
  std::string policy;             // "honeyvt" or "fixed-tick"
  CallCounts calls;               // every request sent, refused ones included
  std::vector<Verdict> verdicts;  // first verdict of each sample
  std::int64_t uploads = 0;       // accepted uploads
  double wall_seconds = 0;        // real time the simulation took
};

struct Figures {
  std::int64_t verdicts = 0, calls = 0, refused = 0;
  double calls_per_verdict = 0;
  double utilisation = 0;          // accepted requests / what the quota allowed in the period
  double makespan_h = 0;           // start to last verdict (scenarios run to completion)
  double ideal_h = 0;              // minimal calls at the fastest allowed rate
  double own_ideal_h = 0;          // the calls this policy made, at the fastest allowed rate
  double polls_per_upload = 0;     // poll requests (a v2 batch of polls once) per upload
  double polled_per_upload = 0;    // analyses polled (each sample's polls) per upload
  double verdict_vs_analysis = 0;  // mean(upload -> verdict) / mean(analysis time)
  double fresh_verdicts = 0;       // honeypot scenario: share of fresh samples with a verdict
  double fresh_median_min = 0;     // ... median minutes from arrival to verdict
};

// The time-to-verdict target of issue #9: mean(upload -> verdict) <= 1.3 x mean(analysis).
inline constexpr double kVerdictTarget = 1.3;

// The fewest polls with which a scheduler that knows the distribution of the scenario's
// analysis times (not which sample takes how long) meets kVerdictTarget: every uploaded
// sample is polled at the same offsets after its upload until its analysis is done, at
// most three offsets on a 5-second grid and then one at the longest analysis time; each
// poll exactly on time. `polls` is the total over the unknown samples.
struct PollPlan {
  std::int64_t polls = 0;
  std::vector<std::int64_t> offsets;  // seconds after the upload
};
PollPlan FewestPolls(const Scenario& sc);

// Minimal requests that give every sample of `sc` a verdict within kVerdictTarget with
// the policy's API: one lookup per sample and FewestPolls(sc) polls, batched (v2: 4
// resources per file/report request, polls and lookups mixed; v3: one each), plus an
// upload and a comment per unknown sample.
std::int64_t MinimalCalls(const Scenario& sc);

Figures Evaluate(const Scenario& sc, const RunResult& run);
void PrintHeader();
void PrintRow(const Scenario& sc, const RunResult& run, const Figures& f);

}  // namespace honeyvt::bench
