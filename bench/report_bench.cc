// Wall time of every `honeyvt report` on a logsql database (e.g. one from gen_vtdb):
// opening the file read-only and building the scope, running the report and rendering it
// as a table. Prints the median of RUNS runs per report (default 3).
//
//   report_bench PATH [RUNS]
//
// wall_s is what a user waits; cpu_s (user + system time of the process) shows the work
// done, which is what to compare when the machine is shared and loaded.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/strings.h"
#include "report/format.h"
#include "report/reports.h"
#include "store/sqlite.h"

namespace {

using honeyvt::Result;
using honeyvt::report::Document;
using honeyvt::report::Source;

std::string SomeMd5(const std::string& path) {
  auto db = honeyvt::store::Database::Open(path, {});
  if (!db) return "";
  auto stmt =
      db->Prepare("SELECT virustotal_md5_hash FROM virustotals ORDER BY virustotal LIMIT 1");
  if (!stmt || !*stmt->Step()) return "";
  return stmt->Text(0);
}

// User + system CPU seconds of this process so far.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: report_bench PATH [RUNS=3]\n");
    return 2;
  }
  const std::string path = argv[1];
  int runs = 3;
  if (argc > 2) {
    auto n = honeyvt::ParseInt(argv[2]);
    if (!n || *n < 1) {
      std::fprintf(stderr, "report_bench: RUNS must be a positive integer\n");
      return 2;
    }
    runs = static_cast<int>(*n);
  }
  const std::string md5 = SomeMd5(path);
  struct Case {
    std::string name;
    std::function<Result<Document>(Source&)> run;
  };
  using namespace honeyvt::report;
  const std::vector<Case> cases = {
      {"summary", [](Source& s) { return Summary(s); }},
      {"families", [](Source& s) { return Families(s); }},
      {"aliases conficker",
       [](Source& s) {
         return Aliases(s, {"conficker", false});
       }},
      {"aliases --family conficker",
       [](Source& s) {
         return Aliases(s, {"conficker", true});
       }},
      {"aliases sdbot",
       [](Source& s) {
         return Aliases(s, {"sdbot", false});
       }},
      {"signatures conficker",
       [](Source& s) {
         return Signatures(s, {"conficker", false});
       }},
      {"signatures --family rimecud",
       [](Source& s) {
         return Signatures(s, {"rimecud", true});
       }},
      {"undetected Kaspersky",
       [](Source& s) {
         return Undetected(s, {"Kaspersky", false, false});
       }},
      {"undetected ClamAV --vuln-only",
       [](Source& s) {
         return Undetected(s, {"ClamAV", true, false});
       }},
      {"undetected Bkav --include-absent",
       [](Source& s) {
         return Undetected(s, {"Bkav", false, true});
       }},
      {"history " + md5, [md5](Source& s) { return History(s, md5); }},
      {"summary --since (last 30 days of data)", [](Source& s) { return Summary(s); }},
  };
  std::printf("%-42s %10s %10s %8s\n", "report", "wall_s", "cpu_s", "rows");
  bool all_fast = true;
  for (const Case& c : cases) {
    std::vector<double> times;
    std::vector<double> cpu;
    std::size_t rows = 0;
    for (int i = 0; i < runs; ++i) {
      Filter filter;
      if (c.name.find("--since") != std::string::npos) filter.since = 1286470647.0 + 335 * 86400.0;
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = CpuSeconds();
      auto source = Source::Open(path, filter);
      if (!source) {
        std::fprintf(stderr, "report_bench: %s\n", source.error().message.c_str());
        return 1;
      }
      auto doc = c.run(*source);
      if (!doc) {
        std::fprintf(stderr, "report_bench: %s: %s\n", c.name.c_str(), doc.error().message.c_str());
        return 1;
      }
      std::ostringstream out;
      Render(*doc, Format::kTable, out);
      times.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      cpu.push_back(CpuSeconds() - cpu_start);
      rows = 0;
      for (const auto& t : doc->tables) rows += t.rows.size();
    }
    std::sort(times.begin(), times.end());
    std::sort(cpu.begin(), cpu.end());
    const double median = times[times.size() / 2];
    all_fast = all_fast && median < 1.0;
    std::printf("%-42s %10.3f %10.3f %8zu\n", c.name.c_str(), median, cpu[cpu.size() / 2], rows);
  }
  std::printf("%s\n", all_fast ? "all reports under 1 s" : "SOME REPORTS TOOK 1 s OR MORE");
  return 0;
}
