#include "ingest/backlog.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "ingest/fake_dionaea.h"
#include "ingest/job_store_sink.h"
#include "ingest/testing_sink.h"
#include "store/logsql_testing.h"
#include "store/state_db.h"

namespace honeyvt::ingest {
namespace {
namespace fs = std::filesystem;
using testing::LogsqlWriter;
using testing::Md5Of;
using testing::RecordingSink;

class BacklogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(bin_);
    store::testing::BuildEraDatabase(logsql_, store::testing::Era::kMaster);
  }
  store::Database Open() {
    auto db = store::Database::Open(logsql_, {.mode = store::OpenMode::kReadOnly});
    EXPECT_TRUE(db) << db.error().message;
    return std::move(*db);
  }
  honeyvt::testing::TempDir dir_;
  fs::path logsql_ = dir_ / "dionaea.sqlite";
  fs::path bin_ = dir_ / "binaries";
};

TEST_F(BacklogTest, MostDownloadedFirstSkippingReportedAndInvalid) {
  {
    LogsqlWriter w(logsql_);
    const std::string a = Md5Of("a"), b = Md5Of("b"), c = Md5Of("c"), r = Md5Of("r");
    for (const auto& m : {a, b, b, b, c, c, r, r, r, r}) w.AddDownload(m, 1286470647.75);
    w.AddDownload("../../etc/passwd");
    std::string upper = c;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    w.AddDownload(upper);
    w.AddVirustotal(r);
    testing::WriteSample(bin_, b, "b");
  }
  RecordingSink sink;
  auto db = Open();
  std::vector<std::pair<std::int64_t, std::int64_t>> progress;
  auto s = EnqueueBacklog(
      db, bin_, sink, [&](auto done, auto total) { progress.emplace_back(done, total); }, 2);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->samples, 3);
  EXPECT_EQ(s->downloads, 7);  // b x3, c x2 + upper-case c, a x1
  EXPECT_EQ(s->invalid, 1);
  EXPECT_EQ(s->with_file, 1);
  EXPECT_EQ(s->hash_only, 2);
  EXPECT_EQ(s->offers.added, 3);
  const auto offers = sink.offers();
  ASSERT_EQ(offers.size(), 3u);
  EXPECT_EQ(offers[0].md5.hex(), Md5Of("b"));
  EXPECT_EQ(offers[0].downloads, 3);
  EXPECT_TRUE(offers[0].file_path);
  EXPECT_EQ(offers[1].md5.hex(), Md5Of("c"));
  EXPECT_EQ(offers[1].downloads, 3);
  EXPECT_EQ(offers[2].md5.hex(), Md5Of("a"));
  EXPECT_DOUBLE_EQ(ToUnixSeconds(offers[2].seen_at), 1286470647.75);
  EXPECT_EQ(progress, (std::vector<std::pair<std::int64_t, std::int64_t>>{{2, 3}, {3, 3}}));
}

TEST_F(BacklogTest, TwiceIntoTheStateDatabaseAddsNothing) {
  {
    LogsqlWriter w(logsql_);
    w.Begin();
    for (int i = 0; i < 50; ++i) w.AddDownload(Md5Of(std::to_string(i % 20)));
    w.Commit();
  }
  auto state = store::StateDb::Open(dir_ / "state.sqlite");
  ASSERT_TRUE(state) << state.error().message;
  SystemClock clock;
  JobStoreSink sink(*state, clock);
  auto db = Open();
  auto first = EnqueueBacklog(db, bin_, sink);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->offers.added, 20);
  auto second = EnqueueBacklog(db, bin_, sink);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->offers.added, 0);
  EXPECT_EQ(second->offers.known, 20);
  auto counts = state->Counts();
  ASSERT_TRUE(counts);
  std::int64_t jobs = 0;
  for (const auto& c : *counts) jobs += c.count;
  EXPECT_EQ(jobs, 20);
  // Most downloaded first: md5 of "0".."9" were downloaded 3 times, priority 3.
  auto job = state->Find(Md5Of("0"));
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->priority, 3);
  EXPECT_EQ((*job)->source, "backlog");
}

TEST_F(BacklogTest, NotALogsqlFile) {
  {
    auto db = store::Database::Open(dir_ / "other.sqlite", {.mode = store::OpenMode::kCreate});
    ASSERT_TRUE(db->Exec("CREATE TABLE t (x)"));
  }
  auto db = store::Database::Open(dir_ / "other.sqlite", {});
  RecordingSink sink;
  auto s = EnqueueBacklog(*db, bin_, sink);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace honeyvt::ingest
