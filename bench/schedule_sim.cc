// Schedule simulator (issue #9): honeyvt's real scheduler and state machine against an
// in-process VirusTotal on a fake clock, so that days of traffic run in seconds, next to
// dionaea's fixed-tick policy as the baseline. Prints one row per scenario, API version
// and policy:
//   verdicts, calls (every request sent), refused (quota errors), c/v (calls per verdict),
//   util% (accepted requests / requests the quota allowed over the run: for scenarios run
//   to completion the tightest window while work was waiting), makespan_h and ideal_h
//   (minimal calls at the fastest allowed rate: a lookup per sample, an upload and a
//   comment per unknown sample, and the fewest polls with which verdicts come within
//   1.3x the analysis time, lookups and polls batched by 4 on v2; see metrics.h
//   FewestPolls, printed below each scenario) and their ratio, ratio2 (makespan against the calls
//   this policy made at the fastest allowed rate), poll/up (poll requests per upload: on v2 one
//   batch of polls counts once), polled/up (analyses polled per upload: each sample's polls),
//   ttv/an (mean upload-to-verdict time / mean analysis time), and for the honeypot scenario the
//   share of fresh samples with a verdict and their median minutes from arrival to verdict.
//
// Usage: schedule_sim [--scale X] [--api 2|3|both] [--export DIR] [SCENARIO...]
//   (default: known unknown honeypot). --export also writes the scenario's samples for an
//   end-to-end run against vtsim: DIR/catalogue.json (the known samples, vtsim catalogue
//   format), DIR/samples/<md5> (the unknown samples' files), DIR/known.txt (md5 per line)
//   and DIR/unknown.txt (file path per line); see bench/schedule_e2e.py.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/testing.h"
#include "schedule/metrics.h"
#include "schedule/runs.h"
#include "schedule/scenario.h"

namespace {

void Export(const honeyvt::bench::Scenario& sc, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "samples");
  std::ofstream catalogue(dir / "catalogue.json");
  std::ofstream known(dir / "known.txt");
  std::ofstream unknown(dir / "unknown.txt");
  catalogue << "{\"samples\": [\n";
  bool first = true;
  for (const auto& s : sc.samples) {
    if (s.known) {
      catalogue << (first ? "" : ",\n") << "{\"md5\": \"" << s.md5 << "\", \"sha1\": \"" << s.sha1
                << "\", \"sha256\": \"" << s.sha256
                << "\", \"type\": \"pe\", \"positives\": " << s.positives << ", \"total\": 70}";
      first = false;
      known << s.md5 << "\n";
    } else {
      const auto path = std::filesystem::absolute(dir / "samples" / s.md5);
      std::ofstream(path, std::ios::binary) << s.content;
      unknown << path.string() << "\n";
    }
  }
  catalogue << "\n]}\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace honeyvt::bench;
  double scale = 1.0;
  std::vector<int> apis = {2, 3};
  std::vector<std::string> names;
  std::string export_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--scale" && i + 1 < argc) {
      scale = std::stod(argv[++i]);
    } else if (a == "--api" && i + 1 < argc) {
      const std::string v = argv[++i];
      apis = v == "both" ? std::vector<int>{2, 3} : std::vector<int>{std::stoi(v)};
    } else if (a == "--export" && i + 1 < argc) {
      export_dir = argv[++i];
    } else if (a == "--help" || a == "-h") {
      std::puts(
          "usage: schedule_sim [--scale X] [--api 2|3|both] [--export DIR] "
          "[known|unknown|honeypot|e2e...]");
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
      if (!export_dir.empty()) Export(sc, export_dir);
      const RunResult ours = RunHoneyvt(sc, tmp.path() / std::to_string(run++));
      PrintRow(sc, ours, Evaluate(sc, ours));
      const RunResult base = RunFixedTick(sc);
      PrintRow(sc, base, Evaluate(sc, base));
      if (const PollPlan plan = FewestPolls(sc); !plan.offsets.empty()) {
        std::int64_t unknown = 0;
        for (const auto& s : sc.samples) unknown += s.known ? 0 : 1;
        std::string offsets;
        for (auto t : plan.offsets) offsets += " " + std::to_string(t);
        std::printf(
            "#   ideal_h of %s v%d: %.2f polls per upload at%s s after it, the fewest "
            "with verdicts within %.1fx the analysis time\n",
            name.c_str(), api, static_cast<double>(plan.polls) / unknown, offsets.c_str(),
            kVerdictTarget);
      }
      std::fflush(stdout);
    }
  }
  return 0;
}
