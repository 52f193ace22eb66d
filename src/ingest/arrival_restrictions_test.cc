// What import-dionaea-cache records (VirusTotal has the file, a comment may exist) holds
// whatever path the sample arrives by later: the directory watcher, the downloads
// follower and the backlog all attach the file, none relaxes the restriction. (Before,
// the restriction lived only in a table nothing read, and the file made the sample
// uploadable again.) Every arrival also records the folder the file lies below.
#include <gtest/gtest.h>

#include "core/testing.h"
#include "ingest/backlog.h"
#include "ingest/cursor_store.h"
#include "ingest/directory_watcher.h"
#include "ingest/downloads_follower.h"
#include "ingest/fake_dionaea.h"
#include "ingest/job_store_sink.h"
#include "ingest/vtcache_import.h"
#include "store/logsql_testing.h"
#include "store/state_db.h"

namespace honeyvt::ingest {
namespace {
namespace fs = std::filesystem;
using testing::Md5Of;

class ArrivalRestrictionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(bin_);
    store::testing::BuildEraDatabase(logsql_, store::testing::Era::k2010);
    auto state = store::StateDb::Open(dir_ / "state.sqlite");
    ASSERT_TRUE(state);
    state_.emplace(std::move(*state));
    sink_.emplace(*state_, clock_, &state_->db());
    // dionaea's VT handler uploaded and commented this sample ('query-'), then got stuck.
    auto vtcache = store::Database::Open(vtcache_, {.mode = store::OpenMode::kCreate});
    ASSERT_TRUE(vtcache);
    ASSERT_TRUE(vtcache->Exec(
        "CREATE TABLE backlogfiles (backlogfile INTEGER PRIMARY KEY, status TEXT NOT NULL,"
        " md5_hash TEXT NOT NULL, path TEXT NOT NULL, timestamp INTEGER NOT NULL, scan_id TEXT,"
        " lastcheck_time INTEGER, submit_time INTEGER);"
        "INSERT INTO backlogfiles (status, md5_hash, path, timestamp) VALUES ('query-', '" +
        md5_ + "', 'x', 1286470000), ('comment', '" + Md5Of("comment") + "', 'y', 1286470000);"));
  }

  void Import() { ASSERT_TRUE(ImportVtcache(vtcache_, nullptr, bin_, *sink_)); }

  // The sample's file appears in binaries/ (dionaea stored it, or it was there all along).
  void StoreFile() {
    testing::WriteSample(bin_, md5_, "query-");
    testing::WriteSample(bin_, Md5Of("comment"), "comment");
  }

  void ExpectRestrictedWithFile() {
    auto job = state_->Find(md5_);
    ASSERT_TRUE(job && *job);
    EXPECT_NE((*job)->path, "") << "the arrival attached the file";
    EXPECT_EQ((*job)->root, fs::canonical(bin_).string());
    EXPECT_EQ((*job)->seen_in, std::vector<std::string>{fs::canonical(bin_).string()});
    EXPECT_FALSE((*job)->may_upload);
    EXPECT_FALSE((*job)->may_comment);
    auto comment = state_->Find(Md5Of("comment"));
    ASSERT_TRUE(comment && *comment);
    EXPECT_FALSE((*comment)->may_upload);
    EXPECT_TRUE((*comment)->may_comment);
  }

  honeyvt::testing::TempDir dir_;
  fs::path bin_ = dir_ / "binaries", logsql_ = dir_ / "logsql.sqlite",
           vtcache_ = dir_ / "vtcache.sqlite";
  const std::string md5_ = Md5Of("query-");
  FakeClock clock_{FromUnixSeconds(std::int64_t{1700000000}), false};
  std::optional<store::StateDb> state_;
  std::optional<JobStoreSink> sink_;
};

TEST_F(ArrivalRestrictionsTest, ImportAloneQueuesHashOnlyWithTheRestriction) {
  Import();
  auto job = state_->Find(md5_);
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->path, "");
  EXPECT_FALSE((*job)->may_upload);
  EXPECT_FALSE((*job)->may_comment);
}

TEST_F(ArrivalRestrictionsTest, DirectoryWatcherOffersTheFileLater) {
  Import();
  StoreFile();
  DirectoryWatcher watcher({.dirs = {bin_}}, *sink_, clock_);
  ASSERT_TRUE(watcher.ScanAll());
  ExpectRestrictedWithFile();
}

TEST_F(ArrivalRestrictionsTest, DownloadsFollowerOffersTheFileLater) {
  Import();
  StoreFile();
  testing::LogsqlWriter(logsql_).AddDownload(md5_);
  testing::LogsqlWriter(logsql_).AddDownload(Md5Of("comment"));
  auto cursors = SqliteCursorStore::Open(dir_ / "cursors.sqlite");
  ASSERT_TRUE(cursors);
  DownloadsFollower follower({.logsql = logsql_, .binaries = bin_}, *cursors, *sink_, clock_);
  auto polled = follower.PollOnce();
  ASSERT_TRUE(polled) << polled.error().message;
  EXPECT_EQ(polled->offered, 2);
  ExpectRestrictedWithFile();
}

TEST_F(ArrivalRestrictionsTest, BacklogOffersTheFileLater) {
  Import();
  StoreFile();
  testing::LogsqlWriter(logsql_).AddDownload(md5_);
  testing::LogsqlWriter(logsql_).AddDownload(Md5Of("comment"));
  auto logsql = store::Database::Open(logsql_, {});
  ASSERT_TRUE(logsql);
  ASSERT_TRUE(EnqueueBacklog(*logsql, bin_, *sink_));
  ExpectRestrictedWithFile();
}

TEST_F(ArrivalRestrictionsTest, ImportAfterTheFileArrivedStillRestricts) {
  StoreFile();
  DirectoryWatcher watcher({.dirs = {bin_}}, *sink_, clock_);
  ASSERT_TRUE(watcher.ScanAll());
  auto before = state_->Find(md5_);
  ASSERT_TRUE(before && *before);
  EXPECT_TRUE((*before)->may_upload);
  Import();
  ExpectRestrictedWithFile();
}

}  // namespace
}  // namespace honeyvt::ingest
