// Prints the pipeline's resource figures (issue 6):
//   1. enqueue of 100,000 hashes into a fresh state database (one transaction);
//   2. peak RSS of a daemon with those 100,000 samples queued (in-process fake VirusTotal,
//      public quota 4/1m: it makes 4 lookups, then sleeps until the minute reopens);
//   3. CPU used by that daemon while it waits, over N seconds (no busy polling).
// usage: pipeline_bench [SECONDS=5] [SAMPLES=100000]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "core/digest.h"
#include "core/testing.h"
#include "pipeline/daemon.h"
#include "pipeline/fake_client.h"
#include "store/logsql_writer.h"
#include "store/state_db.h"

using namespace honeyvt;  // NOLINT: a benchmark main

namespace {

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
  const int samples = argc > 2 ? std::atoi(argv[2]) : 100000;
  testing::TempDir dir;
  SystemClock clock;
  const long rss_start = PeakRssKb();

  // The enqueue runs in a child process so that the daemon's peak RSS below is its own.
  const pid_t child = fork();
  if (child == 0) {
    auto state = store::StateDb::Open(dir / "state.sqlite");
    if (!state) return std::fprintf(stderr, "%s\n", state.error().ToString().c_str()), 1;
    std::vector<domain::EnqueueItem> items;
    items.reserve(static_cast<std::size_t>(samples));
    for (int i = 0; i < samples; ++i) {
      items.push_back({DigestBytes(std::to_string(i)).md5, "", "", "", "bench", 0});
    }
    const double cpu_before = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    auto counts = state->Enqueue(items, clock.Now());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!counts) return std::fprintf(stderr, "%s\n", counts.error().ToString().c_str()), 1;
    std::printf(
        "enqueue of %d hashes (one transaction): %.2f s wall, %.2f s CPU (%.0f/s); "
        "peak RSS of the enqueueing process %.1f MB\n",
        samples, secs, CpuSeconds() - cpu_before, samples / secs, PeakRssKb() / 1024.0);
    std::fflush(stdout);
    _exit(0);
  }
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) return 1;
  auto state = store::StateDb::Open(dir / "state.sqlite");
  if (!state) return 1;

  if (!store::Logsql::Create(dir / "logsql.sqlite")) return 1;
  auto writer = store::LogsqlWriter::Open(dir / "logsql.sqlite", clock);
  if (!writer) return 1;
  pipeline::LogsqlSink sink(*writer, 3);
  pipeline::testing::FakeClient vt;
  pipeline::PipelineConfig config;
  pipeline::QuotaGovernor quota(*pipeline::ParseQuotaWindows({"4/1m", "500/1d"}), &*state);
  if (!quota.Load(clock.Now())) return 1;
  pipeline::GovernorGate gate(quota, *state);
  pipeline::PollSchedule polls(config);
  pipeline::Backoff backoff(1);
  pipeline::Engine engine(config,
                          {&*state, &*state, &vt, &sink, &clock, &gate, &polls, &backoff, 1});
  pipeline::Daemon daemon(engine, *state, gate, clock, {});
  std::jthread worker([&](std::stop_token stop) { (void)daemon.Run(stop); });
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the 4 lookups of this minute
  const double cpu0 = CpuSeconds();
  const auto wall0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double cpu = CpuSeconds() - cpu0;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  worker.request_stop();
  worker.join();
  std::printf(
      "daemon waiting for the quota with %d samples queued: %.3f s CPU in %.1f s "
      "(%.3f%%), %lld steps, %lld sleeps\n",
      samples, cpu, wall, 100.0 * cpu / wall, static_cast<long long>(daemon.steps()),
      static_cast<long long>(daemon.sleeps()));
  std::printf(
      "peak RSS of the daemon process with %d samples queued: %.1f MB (%.1f MB before "
      "it opened the databases)\n",
      samples, PeakRssKb() / 1024.0, rss_start / 1024.0);
  return 0;
}
