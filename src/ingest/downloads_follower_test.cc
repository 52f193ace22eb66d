#include "ingest/downloads_follower.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "ingest/fake_dionaea.h"
#include "ingest/testing_sink.h"
#include "store/logsql_testing.h"

namespace honeyvt::ingest {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;
using testing::LogsqlWriter;
using testing::RecordingSink;
using testing::WriteSample;

class DownloadsFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The 2010 layout: var/dionaea/logsql.sqlite and var/dionaea/binaries/.
    root_ = dir_.path() / "opt/dionaea/var/dionaea";
    fs::create_directories(root_ / "binaries");
    logsql_ = root_ / "logsql.sqlite";
    store::testing::BuildEraDatabase(logsql_, store::testing::Era::k2010);
    auto cursors = SqliteCursorStore::Open(dir_ / "state.sqlite");
    ASSERT_TRUE(cursors) << cursors.error().message;
    cursors_.emplace(std::move(*cursors));
  }
  FollowerConfig Config() const {
    return {.logsql = logsql_,
            .binaries = root_ / "binaries",
            .batch_size = 3,
            .file_grace = seconds(600)};
  }
  DownloadsFollower MakeFollower() { return DownloadsFollower(Config(), *cursors_, sink_, clock_); }
  PollStats Poll(DownloadsFollower& f) {
    auto s = f.PollOnce();
    EXPECT_TRUE(s) << s.error().message;
    return s.value_or(PollStats{});
  }

  honeyvt::testing::TempDir dir_;
  fs::path root_, logsql_;
  std::optional<SqliteCursorStore> cursors_;
  RecordingSink sink_;
  FakeClock clock_{FromUnixSeconds(std::int64_t{1700000000}), false};
};

TEST_F(DownloadsFollowerTest, OffersNewDownloadsWithFileHashesAndCaptureTime) {
  LogsqlWriter w(logsql_);
  std::vector<std::string> md5s;
  for (int i = 0; i < 7; ++i) {
    md5s.push_back(WriteSample(root_ / "binaries", testing::Md5Of("s" + std::to_string(i)),
                               "s" + std::to_string(i)));
    w.AddDownload(md5s.back(), 1286470647.25 + i);  // REAL timestamps, as dionaea writes
  }
  auto f = MakeFollower();
  PollStats s = Poll(f);
  EXPECT_EQ(s.rows, 7);
  EXPECT_EQ(s.offered, 7);
  const auto offers = sink_.offers();
  ASSERT_EQ(offers.size(), 7u);
  const SampleCandidate& c = offers[0];
  EXPECT_EQ(c.md5.hex(), md5s[0]);
  ASSERT_TRUE(c.file_path && c.sha256 && c.sha1);
  EXPECT_EQ(fs::path(*c.file_path).filename(), md5s[0]);
  EXPECT_DOUBLE_EQ(ToUnixSeconds(c.seen_at), 1286470647.25);
  EXPECT_FALSE(c.live);  // captured in 2010: backlog priority, not live
  EXPECT_EQ(Poll(f).rows, 0);
  EXPECT_EQ(sink_.offers().size(), 7u);
}

TEST_F(DownloadsFollowerTest, RestartResumesWithoutRepeatsOrGaps) {
  LogsqlWriter w(logsql_);
  w.AddDownload(WriteSample(root_ / "binaries", testing::Md5Of("a"), "a"));
  {
    auto f = MakeFollower();
    EXPECT_EQ(Poll(f).offered, 1);
  }
  w.AddDownload(WriteSample(root_ / "binaries", testing::Md5Of("b"), "b"));
  auto again = MakeFollower();
  PollStats s = Poll(again);
  EXPECT_EQ(s.rows, 1);
  EXPECT_EQ(sink_.offers().size(), 2u);
  EXPECT_EQ(sink_.OffersOf(testing::Md5Of("a")), 1);
}

TEST_F(DownloadsFollowerTest, HostileMd5RowsAreSkippedAndReported) {
  LogsqlWriter w(logsql_);
  for (const char* bad : {"../../etc/passwd", "0123456789abcdef0123456789abcde\n", "",
                          "0123456789abcdef0123456789abcdef0", "DROP TABLE downloads"}) {
    w.AddDownload(bad);
  }
  const std::string good = WriteSample(root_ / "binaries", testing::Md5Of("g"), "g");
  w.AddDownload(good);
  auto f = MakeFollower();
  PollStats s = Poll(f);
  EXPECT_EQ(s.invalid, 5);
  EXPECT_EQ(s.offered, 1);
  ASSERT_EQ(sink_.offers().size(), 1u);
  EXPECT_EQ(sink_.offers()[0].md5.hex(), good);
  EXPECT_FALSE(fs::exists(root_ / "etc"));
}

TEST_F(DownloadsFollowerTest, RepeatedDownloadsOfferTheFirstOnly) {
  LogsqlWriter w(logsql_);
  const std::string md5 = WriteSample(root_ / "binaries", testing::Md5Of("d"), "d");
  w.AddDownload(md5);
  auto f = MakeFollower();
  Poll(f);
  WriteSample(root_ / "binaries", "0123456789abcdef0123456789abcdef", "other");
  for (int i = 0; i < 5; ++i) w.AddDownload(i % 2 ? md5 : "0123456789ABCDEF0123456789ABCDEF");
  w.AddDownload("0123456789abcdef0123456789abcdef");  // same as the upper-case one
  PollStats s = Poll(f);
  EXPECT_EQ(s.repeats, 5);
  EXPECT_EQ(s.waiting, 1);       // its file does not hash to its name (yet)
  clock_.Advance(seconds(700));  // past grace: looked up by hash only
  EXPECT_EQ(Poll(f).hash_only, 1);
  EXPECT_EQ(sink_.OffersOf(md5), 1);
  EXPECT_EQ(sink_.OffersOf("0123456789abcdef0123456789abcdef"), 1);
}

TEST_F(DownloadsFollowerTest, WaitsForALateFileThenOffersIt) {
  LogsqlWriter w(logsql_);
  const std::string md5 = testing::Md5Of("late");
  w.AddDownload(md5);
  auto f = MakeFollower();
  PollStats s = Poll(f);
  EXPECT_EQ(s.waiting, 1);
  EXPECT_TRUE(sink_.offers().empty());
  clock_.Advance(seconds(30));
  WriteSample(root_ / "binaries", md5, "late");
  s = Poll(f);
  EXPECT_EQ(s.offered, 1);
  EXPECT_EQ(s.waiting, 0);
  ASSERT_EQ(sink_.offers().size(), 1u);
  EXPECT_TRUE(sink_.offers()[0].file_path);
  EXPECT_TRUE(sink_.offers()[0].live);  // captured half a second before "now"
}

TEST_F(DownloadsFollowerTest, PartiallyCopiedFileIsAwaitedNotTrusted) {
  LogsqlWriter w(logsql_);
  const std::string md5 = testing::Md5Of("complete content");
  WriteSample(root_ / "binaries", md5, "compl");  // dionaea still copying
  w.AddDownload(md5);
  auto f = MakeFollower();
  EXPECT_EQ(Poll(f).waiting, 1);
  WriteSample(root_ / "binaries", md5, "complete content");
  EXPECT_EQ(Poll(f).offered, 1);
  EXPECT_EQ(sink_.offers()[0].sha256->hex().size(), 64u);
}

TEST_F(DownloadsFollowerTest, AwaitedFilesSurviveARestartThenFallBackToHashOnly) {
  LogsqlWriter w(logsql_);
  const std::string md5 = testing::Md5Of("never");
  w.AddDownload(md5);
  {
    auto f = MakeFollower();
    EXPECT_EQ(Poll(f).waiting, 1);
  }
  auto f = MakeFollower();
  clock_.Advance(seconds(599));
  EXPECT_EQ(Poll(f).waiting, 1);
  EXPECT_TRUE(sink_.offers().empty());
  clock_.Advance(seconds(1));
  PollStats s = Poll(f);
  EXPECT_EQ(s.hash_only, 1);
  ASSERT_EQ(sink_.offers().size(), 1u);
  EXPECT_FALSE(sink_.offers()[0].file_path);
  EXPECT_EQ(sink_.offers()[0].md5.hex(), md5);
  EXPECT_EQ(Poll(f).hash_only, 0);
}

TEST_F(DownloadsFollowerTest, SymlinkOutOfBinariesIsLookedUpByHashOnly) {
  honeyvt::testing::TempDir outside;
  const std::string md5 = WriteSample(outside.path(), "f", "outside");
  fs::create_symlink(outside / "f", root_ / "binaries" / md5);
  LogsqlWriter w(logsql_);
  w.AddDownload(md5);
  auto f = MakeFollower();
  EXPECT_EQ(Poll(f).hash_only, 1);
  ASSERT_EQ(sink_.offers().size(), 1u);
  EXPECT_FALSE(sink_.offers()[0].file_path);
}

TEST_F(DownloadsFollowerTest, FileWhoseContentDoesNotMatchItsNameIsNotTrusted) {
  const std::string md5 = testing::Md5Of("claimed");
  WriteSample(root_ / "binaries", md5, "something else");
  LogsqlWriter w(logsql_);
  w.AddDownload(md5);
  auto f = MakeFollower();
  EXPECT_EQ(Poll(f).waiting, 1);  // perhaps still being copied in
  clock_.Advance(seconds(600));
  EXPECT_EQ(Poll(f).hash_only, 1);
  EXPECT_FALSE(sink_.offers()[0].file_path);
}

TEST_F(DownloadsFollowerTest, SinkFailureLosesNothing) {
  LogsqlWriter w(logsql_);
  for (const char* s : {"x1", "x2", "x3", "x4"}) {
    w.AddDownload(WriteSample(root_ / "binaries", testing::Md5Of(s), s));
  }
  auto f = MakeFollower();
  sink_.FailNext(1);
  EXPECT_FALSE(f.PollOnce());
  Poll(f);
  EXPECT_EQ(sink_.jobs().size(), 4u);
}

TEST_F(DownloadsFollowerTest, ANewDatabaseInThePlaceIsReadFromTheStart) {
  {
    LogsqlWriter w(logsql_);
    for (const char* s : {"o1", "o2", "o3"}) w.AddDownload(testing::Md5Of(s));
  }
  auto f = MakeFollower();
  clock_.Advance(seconds(3600));  // past grace: hash-only offers
  Poll(f);
  Poll(f);
  fs::remove(logsql_);
  store::testing::BuildEraDatabase(logsql_, store::testing::Era::kMaster);
  LogsqlWriter w(logsql_);
  w.AddDownload(WriteSample(root_ / "binaries", testing::Md5Of("n1"), "n1"));
  PollStats s = Poll(f);
  EXPECT_EQ(s.restarted, 1);
  EXPECT_EQ(s.offered, 1);
}

TEST_F(DownloadsFollowerTest, MissingDatabaseIsAnErrorNotACrash) {
  FollowerConfig c = Config();
  c.logsql = dir_ / "nope.sqlite";
  DownloadsFollower f(c, *cursors_, sink_, clock_);
  auto s = f.PollOnce();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace honeyvt::ingest
