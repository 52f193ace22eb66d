// Generates a realistic dionaea logsql database with VirusTotal data for the report
// benchmark: by default 50,000 samples and about 3.5 million virustotalscans rows.
//
//   gen_vtdb PATH [SAMPLES] [SEED]
#include <chrono>
#include <cstdio>
#include <string>

#include "core/strings.h"
#include "report/vt_data_gen.h"
#include "store/logsql.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_vtdb PATH [SAMPLES=50000] [SEED=1]\n");
    return 2;
  }
  honeyvt::report::testing::VtDataOptions options;
  options.samples = 50000;
  options.without_report = 0.05;
  options.second_report = 0.03;
  options.vendor_absent = 0.01;
  options.days = 365;
  if (argc > 2) {
    auto n = honeyvt::ParseInt(argv[2]);
    if (!n || *n <= 0) {
      std::fprintf(stderr, "gen_vtdb: SAMPLES must be a positive integer\n");
      return 2;
    }
    options.samples = *n;
  }
  if (argc > 3) {
    auto s = honeyvt::ParseInt(argv[3]);
    if (!s) {
      std::fprintf(stderr, "gen_vtdb: SEED must be an integer\n");
      return 2;
    }
    options.seed = static_cast<std::uint64_t>(*s);
  }
  const auto start = std::chrono::steady_clock::now();
  {
    auto created = honeyvt::store::Logsql::Create(argv[1]);
    if (!created) {
      std::fprintf(stderr, "gen_vtdb: %s\n", created.error().message.c_str());
      return 1;
    }
  }
  auto stats = honeyvt::report::testing::GenerateVtData(argv[1], options);
  if (!stats) {
    std::fprintf(stderr, "gen_vtdb: %s\n", stats.error().message.c_str());
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "%s: %lld samples (%lld with a report), %lld reports, %lld virustotalscans rows, "
      "%lld downloads, %lld connections in %.1f s\n",
      argv[1], static_cast<long long>(stats->samples),
      static_cast<long long>(stats->samples_with_report), static_cast<long long>(stats->reports),
      static_cast<long long>(stats->scans), static_cast<long long>(stats->downloads),
      static_cast<long long>(stats->connections), secs);
  return 0;
}
