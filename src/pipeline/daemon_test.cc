#include "pipeline/daemon.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "core/digest.h"
#include "core/testing.h"
#include "pipeline/fake_client.h"
#include "store/logsql_writer.h"
#include "store/state_db.h"

namespace honeyvt::pipeline {
namespace {

using domain::JobState;
using std::chrono::seconds;
using testing::FakeClient;
using testing::MakeReport;

const TimePoint kT0 = FromUnixSeconds(std::int64_t{1700000000});

template <typename T>
T Must(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().ToString());
  return std::move(*r);
}

// A daemon's collaborators on an auto-advancing fake clock: state and logsql databases in
// a temporary folder, the scripted VirusTotal, and the given quota windows.
struct Rig {
  Rig(TimePoint start, std::vector<std::string> windows)
      : clock(start, /*auto_advance=*/true),
        vt(&clock),
        state(Must(store::StateDb::Open(dir / "state.sqlite"))),
        writer(OpenLogsql(dir, clock)),
        sink(writer, 3),
        quota(Must(ParseQuotaWindows(windows)), &state),
        polls(config),
        engine(config, {&state, &state, &vt, &sink, &clock, &quota, &polls, &backoff, 1}) {
    if (!quota.Load(clock.Now())) throw std::runtime_error("quota load failed");
  }
  static store::LogsqlWriter OpenLogsql(const honeyvt::testing::TempDir& dir, Clock& clock) {
    if (!store::Logsql::Create(dir / "logsql.sqlite")) throw std::runtime_error("logsql");
    return Must(store::LogsqlWriter::Open(dir / "logsql.sqlite", clock));
  }

  honeyvt::testing::TempDir dir;
  FakeClock clock;
  FakeClient vt;
  store::StateDb state;
  store::LogsqlWriter writer;
  LogsqlSink sink;
  // Sample files live in `dir`: the one folder uploads may read from.
  PipelineConfig config{.comment_text = "x",
                        .sources = {SourcePolicy{dir.path(), UploadPolicy::kAlways, true}}};
  QuotaGovernor quota;
  PollSchedule polls;
  Backoff backoff{7};
  Engine engine;
};

// An md5 made of the hex digits of i.
std::string Md5Of(int i) {
  char md5[33];
  std::snprintf(md5, sizeof md5, "%032x", static_cast<unsigned>(i));
  return md5;
}

// A sample file with this content in the rig's folder, as an enqueue item.
domain::EnqueueItem FileItem(const Rig& rig, const std::string& content, int priority) {
  honeyvt::testing::WriteFile(rig.dir / content, content);
  const auto d = DigestBytes(content);
  return {d.md5, d.sha1, d.sha256, (rig.dir / content).string(), "t", priority};
}

TEST(DaemonTest, DrainsAMixedQueueWithinTheQuotaWithoutBusyPolling) {
  Rig rig(kT0, {"4/1m", "500/1d"});
  rig.vt.analysis_time = seconds(150);

  std::vector<domain::EnqueueItem> items;
  for (int i = 0; i < 20; ++i) {
    const std::string md5 = Md5Of(i);
    rig.vt.AddKnown(MakeReport(md5, "", "", i % 3, 6, 1600000000));
    items.push_back({md5, "", "", "", "t", 0});
  }
  for (int i = 0; i < 3; ++i)
    items.push_back(FileItem(rig, "unknown sample " + std::to_string(i), 0));
  items.push_back({std::string(32, 'e'), "", "", (rig.dir / "missing").string(), "t", 0});
  ASSERT_TRUE(rig.state.Enqueue(items, kT0));

  Daemon daemon(rig.engine, rig.state, rig.quota, rig.clock, {.until_drained = true});
  auto st = daemon.Run({});
  ASSERT_TRUE(st) << st.error().ToString();
  auto counts = rig.state.Counts();
  EXPECT_EQ((*counts)[static_cast<int>(JobState::kDone)].count, 23);
  EXPECT_EQ((*counts)[static_cast<int>(JobState::kFailed)].count, 1);
  // Every minute holds at most 4 requests.
  auto requests = rig.state.RequestsSince(kT0);
  ASSERT_TRUE(requests);
  for (std::size_t i = 4; i < requests->size(); ++i) {
    EXPECT_GE((*requests)[i] - (*requests)[i - 4], seconds(60)) << "request " << i;
  }
  // 24 lookups + 3 x (upload, comment, polls): about 9 minutes at 4/min; the daemon slept
  // only when it had to, never spinning.
  EXPECT_LT(rig.clock.Now() - kT0, std::chrono::minutes(20));
  EXPECT_LT(daemon.sleeps(), 3 * static_cast<std::int64_t>(requests->size()) + 10);
}

TEST(DaemonTest, StopInterruptsAnIdleSleep) {
  honeyvt::testing::TempDir dir;
  SystemClock clock;
  FakeClient vt;
  auto state = store::StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(state);
  ASSERT_TRUE(store::Logsql::Create(dir / "logsql.sqlite"));
  auto writer = store::LogsqlWriter::Open(dir / "logsql.sqlite", clock);
  LogsqlSink sink(*writer, 3);
  PipelineConfig config;
  QuotaGovernor quota({}, nullptr);
  PollSchedule polls(config);
  Backoff backoff(7);
  Engine engine(config, {&*state, &*state, &vt, &sink, &clock, &quota, &polls, &backoff, 1});
  Daemon daemon(engine, *state, quota, clock, {.idle_recheck = std::chrono::hours(1)});
  Status result = MakeError(ErrorCode::kInternal, "not run");
  const auto start = std::chrono::steady_clock::now();
  {
    std::jthread t([&](std::stop_token stop) { result = daemon.Run(stop); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }  // ~jthread requests stop and joins
  EXPECT_TRUE(result);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_LE(daemon.sleeps(), 2);  // one idle sleep, not a spin
}

// Uploads wait for the next UTC day when today's quota cannot also pay for their comment
// and polls, and the daemon sleeps through the wait instead of spinning on the due job.
TEST(DaemonTest, UploadsHeldForTomorrowAreSleptThroughNotSpunOn) {
  // 2023-11-14 23:00 UTC; midnight in one hour.
  const TimePoint start = FromUnixSeconds(std::int64_t{1700002800});
  const TimePoint midnight = FromUnixSeconds(std::int64_t{1700006400});
  Rig rig(start, {"4/1m", "9/1d"});
  rig.vt.polls_until_complete = 0;
  std::vector<domain::EnqueueItem> items;
  for (int i = 0; i < 2; ++i) items.push_back(FileItem(rig, "held sample " + std::to_string(i), 0));
  ASSERT_TRUE(rig.state.Enqueue(items, start));
  Daemon daemon(rig.engine, rig.state, rig.quota, rig.clock, {.until_drained = true});
  ASSERT_TRUE(daemon.Run({}));
  auto counts = rig.state.Counts();
  EXPECT_EQ((*counts)[static_cast<int>(JobState::kDone)].count, 2);
  // Today: 2 lookups, then one upload + comment + poll (5 of 9). The second upload would
  // have left less than Engine::kUploadCost requests for its comment and polls, so it
  // waited for midnight.
  EXPECT_EQ(rig.vt.Count("upload"), 2);
  auto today = rig.state.CountRequestsSince(start);
  auto tomorrow = rig.state.CountRequestsSince(midnight);
  ASSERT_TRUE(today && tomorrow);
  EXPECT_EQ(*today - *tomorrow, 5);
  EXPECT_EQ(*tomorrow, 3);
  // An hour of waiting: one idle re-check every 10 s, not a 1 ms spin on the due upload.
  EXPECT_LT(daemon.sleeps(), 3600 / 10 + 40);
}

// v2 while the day binds: due lookups wait for the uploaded sample's poll to ride along
// with it, and the daemon sleeps until that poll instead of spinning on them.
TEST(DaemonTest, LookupsWaitingForAPollAreSleptThroughNotSpunOn) {
  const TimePoint start = FromUnixSeconds(std::int64_t{1700006400});  // 00:00 UTC
  Rig rig(start, {"4/1m", "24/1d"});  // 80 lookups and an unknown sample need 25
  rig.vt.version = 2;
  rig.vt.max_batch = 4;
  rig.vt.polls_until_complete = 0;
  std::vector<domain::EnqueueItem> items;
  for (int i = 0; i < 80; ++i) {
    const std::string md5 = Md5Of(i + 1);
    rig.vt.AddKnown(MakeReport(md5, "", std::string(64, 'c'), 1, 5, 1600000000));
    items.push_back({md5, "", "", "", "t", 0});
  }
  items.push_back(FileItem(rig, "an unknown sample", 5));
  ASSERT_TRUE(rig.state.Enqueue(items, start));
  Daemon daemon(rig.engine, rig.state, rig.quota, rig.clock, {.until_drained = true});
  ASSERT_TRUE(daemon.Run({}));
  auto counts = rig.state.Counts();
  EXPECT_EQ((*counts)[static_cast<int>(JobState::kDone)].count, 81);
  // Lookup, upload, the poll with 3 riders, comment, 19 lookups: all today.
  EXPECT_EQ(rig.vt.Count("batch 1+3"), 1);
  EXPECT_EQ(*rig.state.CountRequestsSince(start), 23);
  // Three minutes of waiting for the poll: idle re-checks every 10 s, not a 1 ms spin.
  EXPECT_LT(daemon.sleeps(), 100);
}

TEST(DaemonTest, StatusLineSaysWhatWaits) {
  QueueSummary s;
  s.now = kT0;
  s.quota_opens = kT0;
  s.cap = 100;
  EXPECT_EQ(StatusLine(s), "queue empty, waiting for samples");
  s.active = {{JobState::kLookup, 12, std::nullopt},
              {JobState::kUpload, 3, std::nullopt},
              {JobState::kComment, 0, std::nullopt},
              {JobState::kPoll, 2, std::nullopt},
              {JobState::kRelookup, 100, std::nullopt}};
  EXPECT_EQ(StatusLine(s), "12 to look up, 3 to upload, 2 polling, 100+ parked");
  s.quota_opens = kT0 + seconds(35);
  EXPECT_EQ(StatusLine(s),
            "12 to look up, 3 to upload, 2 polling, 100+ parked; quota used up, next request "
            "in 35 s");
  s.quota_opens = kT0 + std::chrono::minutes(90);
  EXPECT_NE(StatusLine(s).find("next request in 90 min"), std::string::npos);
  // Only parked samples: nothing waits for the quota.
  s.active = {{JobState::kRelookup, 4, std::nullopt}};
  EXPECT_EQ(StatusLine(s), "4 parked");
}

// The heartbeat (systemd's WATCHDOG=1 and STATUS=) comes at its interval even while the
// daemon sleeps through a closed quota, and carries the queue summary.
TEST(DaemonTest, HeartbeatComesAtItsIntervalWhileTheDaemonSleeps) {
  Rig rig(kT0, {"1/1h"});
  for (int i = 0; i < 3; ++i) rig.vt.AddKnown(MakeReport(Md5Of(i), "", "", 1, 6, 1600000000));
  ASSERT_TRUE(rig.state.Enqueue(std::vector<domain::EnqueueItem>{{Md5Of(0), "", "", "", "t", 0},
                                                                 {Md5Of(1), "", "", "", "t", 0},
                                                                 {Md5Of(2), "", "", "", "t", 0}},
                                kT0));
  std::vector<TimePoint> beats;
  std::vector<std::string> lines;
  std::stop_source stop;
  DaemonOptions options{.idle_recheck = std::chrono::hours(2),
                        .heartbeat_interval = seconds(30),
                        .heartbeat = [&](const QueueSummary& s) {
                          beats.push_back(s.now);
                          lines.push_back(StatusLine(s));
                          if (beats.size() == 10) stop.request_stop();
                        }};
  Daemon daemon(rig.engine, rig.state, rig.quota, rig.clock, options);
  ASSERT_TRUE(daemon.Run(stop.get_token()));
  ASSERT_EQ(beats.size(), 10u);
  for (std::size_t i = 1; i < beats.size(); ++i) {
    EXPECT_LE(beats[i] - beats[i - 1], seconds(31)) << i;  // not the 2 h idle re-check
  }
  EXPECT_EQ(lines.front(), "3 to look up");
  EXPECT_EQ(lines.back(), "2 to look up; quota used up, next request in 56 min");
  EXPECT_EQ(rig.vt.Count("report "), 1);
}

// SIGHUP: the reload hook runs on the daemon's own thread, between steps, promptly.
TEST(DaemonTest, ReloadRunsOnTheDaemonsThreadBetweenSteps) {
  honeyvt::testing::TempDir dir;
  SystemClock clock;
  FakeClient vt;
  auto state = store::StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(state);
  ASSERT_TRUE(store::Logsql::Create(dir / "logsql.sqlite"));
  auto writer = store::LogsqlWriter::Open(dir / "logsql.sqlite", clock);
  LogsqlSink sink(*writer, 3);
  PipelineConfig config;
  QuotaGovernor quota({}, nullptr);
  PollSchedule polls(config);
  Backoff backoff(7);
  Engine engine(config, {&*state, &*state, &vt, &sink, &clock, &quota, &polls, &backoff, 1});
  std::thread::id reload_thread;
  std::atomic<int> reloads{0};
  std::stop_source stop;
  DaemonOptions options{.idle_recheck = std::chrono::hours(1), .reload = [&] {
                          reload_thread = std::this_thread::get_id();
                          ++reloads;
                          stop.request_stop();
                        }};
  Daemon daemon(engine, *state, quota, clock, options);
  std::thread::id run_thread;
  const auto start = std::chrono::steady_clock::now();
  std::thread t([&] {
    run_thread = std::this_thread::get_id();
    ASSERT_TRUE(daemon.Run(stop.get_token()));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // asleep for an hour
  daemon.RequestReload();
  t.join();
  EXPECT_EQ(reloads.load(), 1);
  EXPECT_EQ(reload_thread, run_thread);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace honeyvt::pipeline
