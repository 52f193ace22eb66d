#include "ingest/directory_watcher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "core/digest.h"
#include "core/testing.h"
#include "ingest/fake_dionaea.h"
#include "ingest/testing_sink.h"

namespace honeyvt::ingest {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using honeyvt::testing::TempDir;
using honeyvt::testing::WriteFile;
using testing::RecordingSink;

// Polls `done` for up to `limit`.
template <typename F>
bool Eventually(F done, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

TEST(DirectoryWatcherTest, ScanOffersByContentAndSkipsWhatIsNotASample) {
  TempDir dir, outside;
  const std::string content = "cowrie download";
  const ContentDigests d = DigestBytes(content);
  WriteFile(dir / d.sha256, content);              // cowrie: named by sha256
  WriteFile(dir / std::string(64, 'f'), "other");  // a name that lies
  WriteFile(dir / ".partial", "half");
  WriteFile(outside / "secret", "s");
  fs::create_symlink(outside / "secret", dir / "evil");
  fs::create_directory(dir / "sub");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  RecordingSink sink;
  SystemClock clock;
  DirectoryWatcher w(WatchConfig{{dir.path()}}, sink, clock);
  auto s = w.ScanAll();
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->offered, 2);
  EXPECT_EQ(s->skipped, 4);  // dotfile, symlink out, directory, fifo
  const auto jobs = sink.jobs();
  ASSERT_EQ(jobs.size(), 2u);
  const auto& c = jobs.at(d.md5);
  EXPECT_EQ(c.sha256->hex(), d.sha256);
  EXPECT_TRUE(c.live);
  EXPECT_TRUE(jobs.contains(DigestBytes("other").md5));
  EXPECT_FALSE(jobs.contains(DigestBytes("s").md5));
  // A rescan does not offer unchanged files again; a rewritten file is a new sample.
  EXPECT_EQ(w.ScanAll()->offered, 0);
  WriteFile(dir / d.sha256, "rewritten, longer content");
  EXPECT_EQ(w.ScanAll()->offered, 1);
  EXPECT_TRUE(sink.jobs().contains(DigestBytes("rewritten, longer content").md5));
}

TEST(DirectoryWatcherTest, SinkFailureIsRetriedOnTheNextScan) {
  TempDir dir;
  WriteFile(dir / "a", "a");
  RecordingSink sink;
  SystemClock clock;
  DirectoryWatcher w(WatchConfig{{dir.path()}}, sink, clock);
  sink.FailNext(1);
  EXPECT_FALSE(w.ScanAll());
  EXPECT_EQ(w.ScanAll()->offered, 1);
}

TEST(DirectoryWatcherTest, FollowsClosedAndMovedInFilesAndStopsPromptly) {
  TempDir dir, staging;
  RecordingSink sink;
  SystemClock clock;
  DirectoryWatcher w(WatchConfig{{dir.path()}, std::chrono::seconds(3600)}, sink, clock);
  std::jthread thread([&w](std::stop_token st) { w.Run(st); });
  std::this_thread::sleep_for(200ms);  // initial scan done, watch in place
  WriteFile(dir / "written", "closed after write");
  WriteFile(staging / "tmp", "moved in");
  fs::rename(staging / "tmp", dir / "moved");
  EXPECT_TRUE(Eventually([&] { return sink.jobs().size() == 2; }));
  EXPECT_TRUE(sink.jobs().contains(DigestBytes("moved in").md5));
  const auto t0 = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);  // woken, not waiting an hour
  EXPECT_EQ(sink.offers().size(), 2u);
}

TEST(DirectoryWatcherTest, RescanFindsADirectoryCreatedLater) {
  TempDir root;
  const fs::path dir = root / "later";
  RecordingSink sink;
  SystemClock clock;
  DirectoryWatcher w(WatchConfig{{dir}, std::chrono::seconds(1)}, sink, clock);
  std::jthread thread([&w](std::stop_token st) { w.Run(st); });
  std::this_thread::sleep_for(100ms);
  fs::create_directory(dir);
  WriteFile(dir / "x", "late directory");
  EXPECT_TRUE(Eventually([&] { return sink.jobs().size() == 1; }));
}

}  // namespace
}  // namespace honeyvt::ingest
