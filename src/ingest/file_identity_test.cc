// The file identity cache and what it buys at start: a restarted watcher reads no
// unchanged file and lifts no old file to live priority.
#include "ingest/file_identity.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/digest.h"
#include "core/testing.h"
#include "ingest/directory_watcher.h"
#include "ingest/testing_sink.h"
#include "store/state_db.h"

namespace honeyvt::ingest {
namespace {
namespace fs = std::filesystem;
using honeyvt::testing::TempDir;
using honeyvt::testing::WriteFile;
using testing::RecordingSink;

// Bytes this process has read through read()-like calls so far (/proc/self/io rchar).
std::int64_t BytesRead() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::int64_t value = 0;
  while (io >> key >> value) {
    if (key == "rchar:") return value;
  }
  return -1;
}

struct Dirs {
  Dirs() {
    fs::create_directories(samples);
    EXPECT_TRUE(store::StateDb::Open(state));  // migrated: file_identity exists
  }
  std::unique_ptr<FileIdentityCache> Cache() {
    auto cache = FileIdentityCache::Open(state);
    EXPECT_TRUE(cache) << cache.error().ToString();
    EXPECT_TRUE((*cache)->Load());
    return std::move(*cache);
  }
  TempDir root;
  fs::path samples = root / "binaries";
  fs::path state = root / "state.sqlite";
};

TEST(FileIdentityTest, ARestartReadsNoUnchangedFile) {
  Dirs d;
  constexpr int kFiles = 40;
  for (int i = 0; i < kFiles; ++i) {
    // 256 KiB each, 10 MiB in all: a re-read would show in rchar.
    WriteFile(
        d.samples / ("s" + std::to_string(i)),
        std::string(std::size_t{256} * 1024, static_cast<char>('a' + i % 26)) + std::to_string(i));
  }
  SystemClock clock;
  {
    RecordingSink sink;
    auto cache = d.Cache();
    DirectoryWatcher first(WatchConfig{.dirs = {d.samples}, .cache = cache.get()}, sink, clock);
    auto s = first.ScanAll();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->offered, kFiles);
    EXPECT_EQ(s->known, 0);
    EXPECT_EQ(cache->size(), static_cast<std::size_t>(kFiles));
  }
  // The next run: nothing is opened, nothing offered.
  RecordingSink sink;
  auto cache = d.Cache();
  const std::int64_t before = BytesRead();
  DirectoryWatcher again(WatchConfig{.dirs = {d.samples}, .cache = cache.get()}, sink, clock);
  auto s = again.ScanAll();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->known, kFiles);
  EXPECT_EQ(s->offered, 0);
  EXPECT_TRUE(sink.offers().empty());
  EXPECT_LT(BytesRead() - before, 1 << 20) << "unchanged samples were read again";
  // A changed file is read again; a deleted one is forgotten after a complete scan.
  RecordingSink sink2;
  auto cache2 = d.Cache();
  WriteFile(d.samples / "s1", "rewritten content");
  fs::remove(d.samples / "s2");
  DirectoryWatcher third(WatchConfig{.dirs = {d.samples}, .cache = cache2.get()}, sink2, clock);
  s = third.ScanAll();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->offered, 1);
  EXPECT_EQ(s->known, kFiles - 2);
  EXPECT_TRUE(sink2.jobs().contains(DigestBytes("rewritten content").md5));
  EXPECT_EQ(d.Cache()->size(), static_cast<std::size_t>(kFiles - 1));
}

TEST(FileIdentityTest, OnlyFilesNewSinceThePreviousScanAreLive) {
  Dirs d;
  WriteFile(d.samples / "old", "captured before the previous run's last scan");
  WriteFile(d.samples / "older", "also old");
  SystemClock clock;
  auto cache = d.Cache();
  // The previous run scanned (an hour from now, as far as these files' times go) but never
  // recorded them, e.g. it was an older honeyvt: they are backlog, not live.
  ASSERT_TRUE(cache->SaveScan(d.samples.string(), clock.Now() + std::chrono::hours(1)));
  RecordingSink sink;
  DirectoryWatcher w(WatchConfig{.dirs = {d.samples}, .cache = cache.get()}, sink, clock);
  ASSERT_TRUE(w.ScanAll());
  ASSERT_EQ(sink.jobs().size(), 2u);
  for (const auto& [md5, c] : sink.jobs()) EXPECT_FALSE(c.live) << md5;
  // What appears after the start is live, found by an event or a rescan alike.
  WriteFile(d.samples / "new", "captured while we run");
  WriteFile(d.samples / "newer", "captured while we run, too");
  WatchStats stats;
  ASSERT_TRUE(w.Consider(d.samples, d.samples / "new", stats));
  ASSERT_TRUE(w.ScanAll());
  EXPECT_TRUE(sink.jobs().at(DigestBytes("captured while we run").md5).live);
  EXPECT_TRUE(sink.jobs().at(DigestBytes("captured while we run, too").md5).live);
  // The scan moved the mark to when it began.
  auto mark = cache->LastScan(d.samples.string());
  ASSERT_TRUE(mark && *mark);
  EXPECT_LE(**mark, clock.Now());
}

TEST(FileIdentityTest, FilesCapturedWhileWeWereStoppedAreLive) {
  Dirs d;
  SystemClock clock;
  auto cache = d.Cache();
  ASSERT_TRUE(cache->SaveScan(d.samples.string(), clock.Now() - std::chrono::hours(1)));
  WriteFile(d.samples / "gap", "arrived after the previous run stopped");
  RecordingSink sink;
  // Without the mark, `started` (an hour from now) would make it backlog.
  DirectoryWatcher w(WatchConfig{.dirs = {d.samples},
                                 .cache = cache.get(),
                                 .started = clock.Now() + std::chrono::hours(1)},
                     sink, clock);
  ASSERT_TRUE(w.ScanAll());
  EXPECT_TRUE(sink.jobs().at(DigestBytes("arrived after the previous run stopped").md5).live);
}

TEST(FileIdentityTest, FirstRunEverMakesNothingThatWasThereLive) {
  Dirs d;
  WriteFile(d.samples / "backlog", "years of captures");
  SystemClock clock;
  RecordingSink sink;
  DirectoryWatcher w(
      WatchConfig{.dirs = {d.samples}, .started = clock.Now() + std::chrono::minutes(5)}, sink,
      clock);
  ASSERT_TRUE(w.ScanAll());
  EXPECT_FALSE(sink.jobs().at(DigestBytes("years of captures").md5).live);
}

TEST(FileIdentityTest, AScanIsOfferedInBatches) {
  Dirs d;
  for (int i = 0; i < 600; ++i)
    WriteFile(d.samples / std::to_string(i), "batched " + std::to_string(i));
  SystemClock clock;
  // Counts OfferBatch calls.
  struct Counting final : public SampleSink {
    Result<OfferOutcome> Offer(const SampleCandidate&) override { return OfferOutcome::kAdded; }
    Result<OfferCounts> OfferBatch(std::span<const SampleCandidate> c) override {
      ++batches;
      total += static_cast<int>(c.size());
      return OfferCounts{static_cast<std::int64_t>(c.size()), 0, 0};
    }
    int batches = 0, total = 0;
  } sink;
  auto cache = d.Cache();
  DirectoryWatcher w(WatchConfig{.dirs = {d.samples}, .cache = cache.get()}, sink, clock);
  auto s = w.ScanAll();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->offered, 600);
  EXPECT_EQ(sink.total, 600);
  EXPECT_EQ(sink.batches, 3);  // 256 + 256 + 88: three transactions, not 600
}

}  // namespace
}  // namespace honeyvt::ingest
