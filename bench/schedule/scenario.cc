#include "schedule/scenario.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>

#include "core/digest.h"

namespace honeyvt::bench {
namespace {

// 2026-11-02 00:00:00 UTC: a Monday, the start of a UTC day and early in a month.
constexpr std::int64_t kStart = 1793577600;

SimSample Make(const std::string& scenario, int i, bool known, std::mt19937_64& rng) {
  SimSample s;
  s.content = scenario + "-sample-" + std::to_string(i);
  const auto d = DigestBytes(s.content);
  s.md5 = d.md5;
  s.sha1 = d.sha1;
  s.sha256 = d.sha256;
  s.known = known;
  // Honeypot malware is mostly well detected; a few samples are missed by nearly all.
  std::uniform_int_distribution<int> detection(0, 99);
  const int roll = detection(rng);
  s.positives = roll < 8 ? roll % 4 : 30 + roll % 35;
  return s;
}

int Scaled(int n, double scale) { return std::max(1, static_cast<int>(std::lround(n * scale))); }

}  // namespace

std::string QuotaSpec(const Scenario& sc) {
  std::string spec;
  for (const auto& w : sc.quota) spec += (spec.empty() ? "" : ",") + w;
  return spec;
}

std::chrono::seconds AnalysisDelay(const std::string& sha256, int min_s, int max_s) {
  std::uint64_t h = 0;
  const char* first = sha256.data();
  std::from_chars(first, first + std::min<std::size_t>(8, sha256.size()), h, 16);
  const std::uint64_t span =
      static_cast<std::uint64_t>(max_s) - static_cast<std::uint64_t>(min_s) + 1;
  return std::chrono::seconds(min_s + static_cast<std::int64_t>(h % span));
}

std::vector<std::string> ScenarioNames() { return {"known", "unknown", "honeypot"}; }

Scenario MakeScenario(const std::string& name, int api_version, double scale) {
  Scenario sc;
  sc.name = name;
  sc.api_version = api_version;
  sc.start = FromUnixSeconds(kStart);
  std::mt19937_64 rng(std::hash<std::string>{}(name));
  std::uniform_int_distribution<int> downloads(1, 40);
  if (name == "known") {
    sc.description = "10,000 samples VirusTotal knows (a backlog)";
    for (int i = 0; i < Scaled(10000, scale); ++i) {
      SimSample s = Make(name, i, true, rng);
      s.priority = downloads(rng);
      sc.samples.push_back(s);
    }
  } else if (name == "unknown") {
    sc.description = "2,000 samples VirusTotal does not know, analyses of 1-5 min";
    for (int i = 0; i < Scaled(2000, scale); ++i) {
      SimSample s = Make(name, i, false, rng);
      s.priority = downloads(rng);
      sc.samples.push_back(s);
    }
  } else if (name == "e2e") {
    // Small enough to run against a vtsim process at 30x time in about three minutes
    // (bench/schedule_e2e.py): only the minute window binds; poll_min and backoff_base
    // are 30 s because the real daemon counts whole real seconds (1 s = 30 s simulated).
    sc.description = "120 known + 40 unknown samples, 4/min only (end-to-end check)";
    sc.quota = {"4/1m"};
    sc.poll_min = std::chrono::seconds(30);
    sc.backoff_base = std::chrono::seconds(30);
    for (int i = 0; i < Scaled(160, scale); ++i) {
      SimSample s = Make(name, i, i % 4 != 0, rng);
      sc.samples.push_back(s);
    }
  } else if (name == "honeypot") {
    sc.description = "backlog of 5,000 (90% known) + 50 new samples/h (80% known) for 7 days";
    std::uniform_int_distribution<int> pct(0, 99);
    const int backlog = Scaled(5000, scale);
    for (int i = 0; i < backlog; ++i) {
      SimSample s = Make(name, i, pct(rng) < 90, rng);
      s.priority = downloads(rng);
      sc.samples.push_back(s);
    }
    sc.horizon = std::chrono::days(7);
    const int fresh = 50 * 24 * 7;
    for (int i = 0; i < fresh; ++i) {
      SimSample s = Make(name, backlog + i, pct(rng) < 80, rng);
      s.fresh = true;
      s.priority = 1000;  // the honeypot's own samples beat the backlog
      s.arrives = sc.start + std::chrono::seconds(static_cast<std::int64_t>(i) * 3600 / 50);
      sc.samples.push_back(s);
    }
  }
  return sc;
}

}  // namespace honeyvt::bench
