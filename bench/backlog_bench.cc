// Times `honeyvt backlog` on a logsql database with 100,000 downloads of 50,000 distinct
// md5s (a skewed distribution, REAL timestamps, 10,000 unrelated virustotals rows): the
// GROUP BY query, the file checks and the enqueue into a fresh state database, then a
// second, idempotent run. Issue #7 asks for under 5 s.
//
// usage: backlog_bench [DOWNLOADS [DISTINCT]]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "core/digest.h"
#include "core/testing.h"
#include "ingest/backlog.h"
#include "ingest/fake_dionaea.h"
#include "ingest/job_store_sink.h"
#include "store/logsql_testing.h"
#include "store/state_db.h"

using namespace honeyvt;
using Seconds = std::chrono::duration<double>;

int main(int argc, char** argv) {
  const long downloads = argc > 1 ? std::atol(argv[1]) : 100'000;
  const long distinct = argc > 2 ? std::atol(argv[2]) : 50'000;
  if (downloads < distinct || distinct < 1) {
    std::fprintf(stderr, "usage: backlog_bench [DOWNLOADS [DISTINCT]] (DOWNLOADS >= DISTINCT)\n");
    return 2;
  }
  testing::TempDir dir;
  const auto logsql = dir / "dionaea.sqlite";
  const auto bin = dir / "binaries";
  std::filesystem::create_directories(bin);
  store::testing::BuildEraDatabase(logsql, store::testing::Era::kMaster);
  {
    ingest::testing::LogsqlWriter w(logsql);
    w.Begin();
    for (long i = 0; i < downloads; ++i) {
      // Every md5 once, then the rest skewed towards low numbers (popular samples).
      const long k = i < distinct ? i : ((i - distinct) * (i - distinct)) % distinct;
      w.AddDownload(DigestBytes("sample " + std::to_string(k)).md5, 1700000000.0 + i * 0.25);
    }
    for (long i = 0; i < 10'000; ++i)
      w.AddVirustotal(DigestBytes("reported " + std::to_string(i)).md5);
    w.Commit();
  }
  auto db = store::Database::Open(logsql, {.mode = store::OpenMode::kReadOnly});
  auto state = store::StateDb::Open(dir / "state.sqlite");
  if (!db || !state) {
    std::fprintf(stderr, "cannot open the databases\n");
    return 1;
  }
  SystemClock clock;
  ingest::JobStoreSink sink(*state, clock);
  auto t0 = std::chrono::steady_clock::now();
  auto query = ingest::QueryBacklog(*db);
  const double query_s = Seconds(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  auto first = ingest::EnqueueBacklog(*db, bin, sink);
  const double first_s = Seconds(std::chrono::steady_clock::now() - t0).count();
  const double first_cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  t0 = std::chrono::steady_clock::now();
  auto second = ingest::EnqueueBacklog(*db, bin, sink);
  const double second_s = Seconds(std::chrono::steady_clock::now() - t0).count();
  if (!query || !first || !second) {
    std::fprintf(stderr, "backlog failed\n");
    return 1;
  }
  std::printf("backlog_bench: %ld downloads, %ld distinct md5, 10000 virustotals rows\n", downloads,
              distinct);
  std::printf("  GROUP BY query alone:         %7.3f s (%zu samples)\n", query_s, query->size());
  std::printf(
      "  backlog (query + enqueue):    %7.3f s (%lld added; %.3f s CPU)   [issue #7: < 5 s]\n",
      first_s, static_cast<long long>(first->offers.added), first_cpu);
  std::printf("  backlog again (idempotent):   %7.3f s (%lld added, %lld already queued)\n",
              second_s, static_cast<long long>(second->offers.added),
              static_cast<long long>(second->offers.known));
  return first->offers.added == distinct && second->offers.added == 0 ? 0 : 1;
}
