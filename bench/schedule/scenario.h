#pragma once
// Scenarios of the schedule simulator (bench/schedule_sim): which samples exist, which
// VirusTotal already knows, how long an analysis of an unknown one takes, and when the
// honeypot delivers them. Everything is derived deterministically from the scenario, so
// every run (and the end-to-end run against vtsim) sees the same samples.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"

namespace honeyvt::bench {

struct SimSample {
  std::string content;  // the file's bytes (its digests are the sample's hashes)
  std::string md5, sha1, sha256;
  bool known = false;   // VirusTotal has a report already
  int positives = 0;    // engines (of 70) detecting it
  int priority = 0;     // downloads (backlog order) or fresh-sample bonus
  bool fresh = false;   // delivered by the honeypot during the run
  TimePoint arrives{};  // fresh samples: when the honeypot delivers it
};

struct Scenario {
  std::string name;
  std::string description;
  int api_version = 2;
  std::vector<std::string> quota = {"4/1m", "500/1d", "15500/1mo"};
  TimePoint start{};                      // 00:00 UTC of a day
  std::vector<SimSample> samples;         // backlog first, then fresh samples by arrival
  Duration horizon{};                     // zero: run until every sample has a verdict
  std::chrono::seconds poll_min{15};      // the pipeline's shortest poll interval
  std::chrono::seconds backoff_base{30};  // the pipeline's first retry delay
};

// The scenario's quota windows as one comma-separated spec ("4/1m,500/1d,15500/1mo").
std::string QuotaSpec(const Scenario& sc);

// Seconds an analysis of `sha256` takes: 60..300, uniform over the hash (the same rule as
// vtsim's --analysis-delay MIN-MAX).
std::chrono::seconds AnalysisDelay(const std::string& sha256, int min_s = 60, int max_s = 300);

// The named scenarios: "known" (10,000 known samples), "unknown" (2,000 unknown samples),
// "honeypot" (a 5,000-sample backlog plus 50 new samples an hour for 7 days), each for
// API v2 (batched lookups) or v3. `scale` < 1 shrinks sample counts (and the honeypot's
// rate stays the same) for quick runs. "e2e" is a small scenario for the end-to-end
// comparison with a vtsim process (bench/schedule_e2e.py); it is not in ScenarioNames().
Scenario MakeScenario(const std::string& name, int api_version, double scale = 1.0);
std::vector<std::string> ScenarioNames();

}  // namespace honeyvt::bench
