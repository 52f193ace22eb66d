// Integration: a writer thread behaves like dionaea (bursts of downloads, files that
// appear after their row, repeated downloads, samples whose file never comes) while the
// follower runs and is restarted in the middle. Every sample is offered exactly once.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <thread>

#include "core/digest.h"
#include "core/testing.h"
#include "ingest/downloads_follower.h"
#include "ingest/fake_dionaea.h"
#include "ingest/follow.h"
#include "ingest/job_store_sink.h"
#include "ingest/testing_sink.h"
#include "store/logsql_testing.h"
#include "store/state_db.h"

namespace honeyvt::ingest {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::LogsqlWriter;
using testing::Md5Of;
using testing::RecordingSink;

template <typename F>
bool Eventually(F done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(25ms);
  }
  return done();
}

struct Plan {
  std::set<std::string> with_file, hash_only;
};

// Appends `n` samples starting at `first` in bursts; returns what it wrote.
void WriteLikeDionaea(const fs::path& logsql, const fs::path& bin, int first, int n, Plan& plan,
                      std::mt19937& rng) {
  LogsqlWriter w(logsql);
  std::vector<std::string> late;  // rows written, files to follow
  std::vector<std::string> all;
  for (int i = first; i < first + n;) {
    const int burst = 1 + static_cast<int>(rng() % 15);
    w.Begin();
    for (int j = 0; j < burst && i < first + n; ++j, ++i) {
      const std::string content = "sample " + std::to_string(i);
      const std::string md5 = Md5Of(content);
      switch (i % 5) {
        case 0:
          testing::WriteSample(bin, md5, content);
          plan.with_file.insert(md5);
          break;
        case 1:
        case 2:
          late.push_back(content);
          plan.with_file.insert(md5);
          break;
        case 3:
          plan.hash_only.insert(md5);
          break;  // dionaea lost the file
        default:
          testing::WriteSample(bin, md5, content);
          plan.with_file.insert(md5);
          break;
      }
      w.AddDownload(md5, 1700000000.0 + i + 0.5);
      all.push_back(md5);
      if (rng() % 4 == 0 && !all.empty()) w.AddDownload(all[rng() % all.size()]);  // repeat
    }
    w.Commit();
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 40));
    for (const auto& content : late) testing::WriteSample(bin, Md5Of(content), content);
    late.clear();
  }
}

TEST(FollowLiveTest, EverySampleOfferedExactlyOnceAcrossARestart) {
  honeyvt::testing::TempDir dir;
  const fs::path logsql = dir / "dionaea.sqlite", bin = dir / "binaries";
  fs::create_directories(bin);
  store::testing::BuildEraDatabase(logsql, store::testing::Era::kMaster);
  RecordingSink sink;
  SystemClock clock;
  const FollowerConfig config{.logsql = logsql,
                              .binaries = bin,
                              .batch_size = 7,
                              .file_grace = std::chrono::seconds(2),
                              .poll_interval = std::chrono::milliseconds(30)};
  auto run_follower = [&](std::stop_token st) {
    auto cursors = SqliteCursorStore::Open(dir / "state.sqlite");
    ASSERT_TRUE(cursors);
    DownloadsFollower f(config, *cursors, sink, clock);
    f.Run(st);
  };
  Plan plan;
  std::mt19937 rng(7);
  {
    std::jthread follower(run_follower);
    WriteLikeDionaea(logsql, bin, 0, 120, plan, rng);
  }  // stop in the middle: the writer goes on while no follower runs
  WriteLikeDionaea(logsql, bin, 120, 30, plan, rng);
  std::jthread follower(run_follower);
  WriteLikeDionaea(logsql, bin, 150, 120, plan, rng);
  const std::size_t total = plan.with_file.size() + plan.hash_only.size();
  ASSERT_TRUE(Eventually([&] { return sink.jobs().size() == total; }, 30s))
      << sink.jobs().size() << " of " << total;
  std::this_thread::sleep_for(300ms);  // anything offered twice would show up now
  follower.request_stop();
  follower.join();
  const auto jobs = sink.jobs();
  EXPECT_EQ(sink.offers().size(), total);
  for (const auto& md5 : plan.with_file) {
    EXPECT_EQ(sink.OffersOf(md5), 1) << md5;
    EXPECT_TRUE(jobs.at(md5).file_path) << md5;
  }
  for (const auto& md5 : plan.hash_only) {
    EXPECT_EQ(sink.OffersOf(md5), 1) << md5;
    EXPECT_FALSE(jobs.at(md5).file_path) << md5;
  }
}

TEST(FollowLiveTest, FollowingFeedsThePipelineStateDatabase) {
  honeyvt::testing::TempDir dir;
  Options options;
  options.logsql = dir / "dionaea.sqlite";
  options.binaries = dir / "binaries";
  options.state = dir / "state.sqlite";
  options.watch = {dir / "cowrie"};
  fs::create_directories(options.binaries);
  fs::create_directories(dir / "cowrie");
  store::testing::BuildEraDatabase(options.logsql, store::testing::Era::kMaster);
  Plan plan;
  std::mt19937 rng(11);
  SystemClock clock;
  std::set<std::string> cowrie;
  {
    auto following = Following::Start(options, clock,
                                      FollowTuning{.poll_interval = std::chrono::milliseconds(30),
                                                   .file_grace = std::chrono::seconds(1)});
    ASSERT_TRUE(following) << following.error().message;
    WriteLikeDionaea(options.logsql, options.binaries, 0, 40, plan, rng);
    for (int i = 0; i < 5; ++i) {
      const std::string content = "cowrie " + std::to_string(i);
      const ContentDigests d = DigestBytes(content);
      honeyvt::testing::WriteFile(dir / "cowrie" / d.sha256, content);
      cowrie.insert(d.md5);
    }
    auto state = store::StateDb::Open(options.state);
    ASSERT_TRUE(state);
    const std::size_t total = plan.with_file.size() + plan.hash_only.size() + cowrie.size();
    auto jobs = [&] {
      auto counts = state->Counts();
      std::int64_t n = 0;
      if (counts)
        for (const auto& c : *counts) n += c.count;
      return static_cast<std::size_t>(n);
    };
    EXPECT_TRUE(Eventually([&] { return jobs() == total; }, 20s)) << jobs() << " of " << total;
  }
  auto state = store::StateDb::Open(options.state);
  ASSERT_TRUE(state);
  for (const auto& md5 : plan.with_file) {
    auto job = state->Find(md5);
    ASSERT_TRUE(job && *job) << md5;
    EXPECT_FALSE((*job)->path.empty()) << md5;
    EXPECT_FALSE((*job)->sha256.empty()) << md5;
  }
  for (const auto& md5 : cowrie) {
    auto job = state->Find(md5);
    ASSERT_TRUE(job && *job) << md5;
    EXPECT_NE((*job)->path.find("cowrie"), std::string::npos);
    EXPECT_EQ((*job)->priority, kLivePriority);
  }
}

TEST(FollowLiveTest, FollowInBackgroundTakesItsTimingsFromTheConfiguration) {
  honeyvt::testing::TempDir dir;
  Options options;
  options.logsql = dir / "dionaea.sqlite";
  options.binaries = dir / "binaries";
  options.state = dir / "state.sqlite";
  options.watch = {dir / "later"};  // created after the start: only a rescan finds it
  fs::create_directories(options.binaries);
  store::testing::BuildEraDatabase(options.logsql, store::testing::Era::kMaster);
  const std::string lost = Md5Of("a download whose file never comes");
  LogsqlWriter(options.logsql).AddDownload(lost);
  // Defaults would wait 10 minutes for the file and rescan every 5 minutes.
  ASSERT_TRUE(ApplySetting(options, "follow_file_grace", "0", SettingSource{"test"}));
  ASSERT_TRUE(ApplySetting(options, "follow_rescan_interval", "1s", SettingSource{"test"}));
  ASSERT_TRUE(ApplySetting(options, "follow_poll_interval", "1s", SettingSource{"test"}));
  EXPECT_EQ(TuningFrom(options).poll_interval, std::chrono::milliseconds(1000));
  SystemClock clock;
  auto following = FollowInBackground(options, clock);
  ASSERT_TRUE(following);
  auto state = store::StateDb::Open(options.state);
  ASSERT_TRUE(state);
  // The catch-up at start already gave up on the file (grace 0): queued by hash only.
  auto job = state->Find(lost);
  ASSERT_TRUE(job && *job);
  EXPECT_TRUE((*job)->path.empty());
  fs::create_directories(dir / "later");
  honeyvt::testing::WriteFile(dir / "later" / "sample", "found by a rescan");
  const std::string found = Md5Of("found by a rescan");
  EXPECT_TRUE(Eventually(
      [&] {
        auto j = state->Find(found);
        return j && *j;
      },
      10s));
}

}  // namespace
}  // namespace honeyvt::ingest
