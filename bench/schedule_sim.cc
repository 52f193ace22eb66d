// Schedule simulator (issue #9): honeyvt's real scheduler and state machine against an
// in-process VirusTotal on a fake clock, so that days of traffic run in seconds, next to
// dionaea's fixed-tick policy as the baseline. Prints one row per scenario, API version
// and policy:
//   verdicts, calls (every request sent), refused (quota errors), c/v (calls per verdict),
//   util% (accepted requests / requests the quota allowed over the run: for scenarios run
//   to completion the tightest window while work was waiting), makespan_h and ideal_h
//   (minimal calls at the fastest allowed rate) and their ratio, poll/up (polls per
//   upload), ttv/an (mean upload-to-verdict time / mean analysis time), and for the
//   honeypot scenario the share of fresh samples with a verdict and their median minutes
//   from arrival to verdict.
//
// Usage: schedule_sim [--scale X] [--api 2|3|both] [SCENARIO...]   (default: all)

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/testing.h"
#include "schedule/metrics.h"
#include "schedule/runs.h"
#include "schedule/scenario.h"

int main(int argc, char** argv) {
  using namespace honeyvt::bench;
  double scale = 1.0;
  std::vector<int> apis = {2, 3};
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--scale" && i + 1 < argc) {
      scale = std::stod(argv[++i]);
    } else if (a == "--api" && i + 1 < argc) {
      const std::string v = argv[++i];
      apis = v == "both" ? std::vector<int>{2, 3} : std::vector<int>{std::stoi(v)};
    } else if (a == "--help" || a == "-h") {
      std::puts("usage: schedule_sim [--scale X] [--api 2|3|both] [known|unknown|honeypot...]");
      return 0;
    } else {
      names.push_back(a);
    }
  }
  if (names.empty()) names = ScenarioNames();
  // The state database does an fsync per step: keep it in memory-backed /dev/shm.
  if (std::getenv("TMPDIR") == nullptr && std::filesystem::exists("/dev/shm")) {
    setenv("TMPDIR", "/dev/shm", 1);
  }
  honeyvt::testing::TempDir tmp;
  PrintHeader();
  int run = 0;
  for (const auto& name : names) {
    for (int api : apis) {
      const Scenario sc = MakeScenario(name, api, scale);
      if (sc.samples.empty()) {
        std::fprintf(stderr, "unknown scenario %s\n", name.c_str());
        return 2;
      }
      const RunResult ours = RunHoneyvt(sc, tmp.path() / std::to_string(run++));
      PrintRow(sc, ours, Evaluate(sc, ours));
      const RunResult base = RunFixedTick(sc);
      PrintRow(sc, base, Evaluate(sc, base));
      std::fflush(stdout);
    }
  }
  return 0;
}
