// gen_logsql: writes a realistic dionaea logsql database for benchmarks.
//   gen_logsql PATH [CONNECTIONS] [SEED] [SAMPLES]
#include <chrono>
#include <cstdio>
#include <string>

#include "core/strings.h"
#include "logsql_generator.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_logsql PATH [CONNECTIONS=250000] [SEED=42] [SAMPLES=500]\n");
    return 2;
  }
  honeyvt::bench::GeneratorOptions o;
  if (argc > 2) {
    auto n = honeyvt::ParseInt(argv[2]);
    if (!n || *n <= 0) {
      std::fprintf(stderr, "gen_logsql: bad connection count '%s'\n", argv[2]);
      return 2;
    }
    o.connections = *n;
  }
  if (argc > 3) {
    auto s = honeyvt::ParseInt(argv[3]);
    if (!s) {
      std::fprintf(stderr, "gen_logsql: bad seed '%s'\n", argv[3]);
      return 2;
    }
    o.seed = static_cast<std::uint32_t>(*s);
  }
  if (argc > 4) {
    auto n = honeyvt::ParseInt(argv[4]);
    if (!n || *n <= 0 || *n > 10000000) {
      std::fprintf(stderr, "gen_logsql: bad sample count '%s'\n", argv[4]);
      return 2;
    }
    o.samples = static_cast<int>(*n);
  }
  const auto start = std::chrono::steady_clock::now();
  auto stats = honeyvt::bench::GenerateLogsql(argv[1], o);
  if (!stats) {
    std::fprintf(stderr, "gen_logsql: %s\n", stats.error().ToString().c_str());
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %lld connections (%lld roots), %lld downloads, %lld VT scans in %.1f s\n",
              argv[1], static_cast<long long>(stats->connections),
              static_cast<long long>(stats->roots), static_cast<long long>(stats->downloads),
              static_cast<long long>(stats->scans), secs);
  return 0;
}
