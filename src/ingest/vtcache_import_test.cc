#include "ingest/vtcache_import.h"

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
using testing::Md5Of;
using testing::RecordingSink;

const std::string kScanId =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f-1286470647";

// A vtcache.sqlite exactly as dionaea creates it (DIONAEA-FACTS §6.1), with rows.
void BuildVtcache(const fs::path& path) {
  auto db = store::Database::Open(path, {.mode = store::OpenMode::kCreate});
  ASSERT_TRUE(db);
  ASSERT_TRUE(
      db->Exec("CREATE TABLE IF NOT EXISTS backlogfiles (backlogfile INTEGER PRIMARY KEY,"
               " status TEXT NOT NULL, md5_hash TEXT NOT NULL, path TEXT NOT NULL,"
               " timestamp INTEGER NOT NULL, scan_id TEXT, lastcheck_time INTEGER,"
               " submit_time INTEGER)"));
  auto ins = db->Prepare(
      "INSERT INTO backlogfiles (status, md5_hash, path, timestamp, scan_id) VALUES (?,?,?,?,?)");
  ASSERT_TRUE(ins);
  struct Row {
    std::string status, md5;
    std::optional<std::string> scan;
  };
  const std::vector<Row> rows = {
      {"new", Md5Of("new"), {}},
      {"new-", Md5Of("new-"), {}},
      {"submit", Md5Of("submit"), {}},
      {"submit-", Md5Of("submit-"), {}},
      {"comment", Md5Of("comment"), kScanId},
      {"comment-", Md5Of("comment-"), kScanId},
      {"query", Md5Of("query"), "not-a-scan-id"},
      {"query-", Md5Of("query-"), kScanId},
      {"new", Md5Of("query-"), {}},     // duplicate md5: most restrictive wins
      {"new", Md5Of("reported"), {}},   // has a virustotals row already
      {"weird", Md5Of("weird"), {}},    // unknown status
      {"new", "../../etc/passwd", {}},  // hostile md5
      {"new", Md5Of("new"), {}},        // plain duplicate
  };
  for (const auto& r : rows) {
    ins->Reset();
    ins->BindAll(r.status, r.md5, "/opt/dionaea/var/dionaea/binaries/" + r.md5,
                 std::int64_t{1286470000});
    ins->Bind(5, r.scan);
    ASSERT_TRUE(ins->Run());
  }
}

class VtcacheImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(bin_);
    BuildVtcache(vtcache_);
    store::testing::BuildEraDatabase(logsql_, store::testing::Era::k2010);
    testing::LogsqlWriter(logsql_).AddVirustotal(Md5Of("reported"));
    testing::WriteSample(bin_, Md5Of("submit"), "submit");
  }
  honeyvt::testing::TempDir dir_;
  fs::path vtcache_ = dir_ / "vtcache.sqlite", logsql_ = dir_ / "logsql.sqlite";
  fs::path bin_ = dir_ / "binaries";
};

TEST(VtcacheStatusTest, EveryStatusHasAnIntent) {
  EXPECT_EQ(IntentForVtcacheStatus("new"), (SampleIntent{true, true, std::nullopt}));
  EXPECT_EQ(IntentForVtcacheStatus("submit-"), (SampleIntent{true, true, std::nullopt}));
  EXPECT_EQ(IntentForVtcacheStatus("comment"), (SampleIntent{false, true, std::nullopt}));
  for (const char* s : {"comment-", "query", "query-"}) {
    EXPECT_EQ(IntentForVtcacheStatus(s), (SampleIntent{false, false, std::nullopt})) << s;
  }
  for (const char* s : {"", "NEW", "new--", "done"}) EXPECT_FALSE(IntentForVtcacheStatus(s));
  EXPECT_TRUE(IsUsefulScanId(kScanId));
  EXPECT_FALSE(IsUsefulScanId("not-a-scan-id"));
  EXPECT_FALSE(IsUsefulScanId(kScanId.substr(0, 64) + "-"));
  EXPECT_FALSE(IsUsefulScanId(kScanId + "x"));
}

TEST_F(VtcacheImportTest, MapsEveryStatusAndNeverModifiesTheFile) {
  const std::string before = honeyvt::testing::ReadFile(vtcache_);
  auto logsql = store::Database::Open(logsql_, {});
  ASSERT_TRUE(logsql);
  RecordingSink sink;
  auto s = ImportVtcache(vtcache_, &*logsql, bin_, sink);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(honeyvt::testing::ReadFile(vtcache_), before);
  EXPECT_FALSE(fs::exists(dir_ / "vtcache.sqlite-journal"));
  EXPECT_EQ(s->rows, 13);
  EXPECT_EQ(s->rows_by_status.at("new"), 5);
  EXPECT_EQ(s->rows_by_status.at("query-"), 1);
  EXPECT_EQ(s->rows_by_status.at("weird"), 1);
  EXPECT_EQ(s->imported, 8);
  EXPECT_EQ(s->duplicates, 2);
  EXPECT_EQ(s->already_reported, 1);
  EXPECT_EQ(s->invalid, 2);
  EXPECT_EQ(s->with_file, 1);
  EXPECT_EQ(s->no_upload, 4);   // comment, comment-, query, query-
  EXPECT_EQ(s->no_comment, 3);  // comment-, query, query-
  EXPECT_EQ(s->scan_ids_kept, 3);
  const auto jobs = sink.jobs();
  ASSERT_EQ(jobs.size(), 8u);
  EXPECT_FALSE(jobs.contains(Md5Of("reported")));
  const auto& q = jobs.at(Md5Of("query-")).intent;
  EXPECT_FALSE(q.may_upload);
  EXPECT_FALSE(q.may_comment);
  EXPECT_EQ(q.scan_id, kScanId);
  EXPECT_FALSE(jobs.at(Md5Of("query")).intent.scan_id);
  EXPECT_TRUE(jobs.at(Md5Of("comment")).intent.may_comment);
  EXPECT_TRUE(jobs.at(Md5Of("submit-")).intent.may_upload);
  EXPECT_TRUE(jobs.at(Md5Of("submit")).file_path);
  EXPECT_EQ(jobs.at(Md5Of("new-")).source, "dionaea-vtcache:new-");
}

TEST_F(VtcacheImportTest, IntoTheStateDatabaseIsIdempotentAndRecordsIntent) {
  auto state = store::StateDb::Open(dir_ / "state.sqlite");
  ASSERT_TRUE(state);
  SystemClock clock;
  JobStoreSink sink(*state, clock, &state->db());
  auto first = ImportVtcache(vtcache_, nullptr, bin_, sink);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->offers.added, 9);  // no logsql given: "reported" is imported too
  auto second = ImportVtcache(vtcache_, nullptr, bin_, sink);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->offers.added, 0);
  auto md5 = domain::Hash::Parse(Md5Of("comment-"));
  auto intent = LoadIntent(state->db(), *md5);
  ASSERT_TRUE(intent && *intent);
  EXPECT_FALSE((*intent)->may_upload);
  EXPECT_FALSE((*intent)->may_comment);
  EXPECT_EQ((*intent)->scan_id, kScanId);
  auto fresh = LoadIntent(state->db(), *domain::Hash::Parse(Md5Of("new")));
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(*fresh);  // nothing restricted, nothing recorded
}

TEST_F(VtcacheImportTest, SamplesAlreadyUploadedAreQueuedHashOnlySoNeverUploadedAgain) {
  testing::WriteSample(bin_, Md5Of("comment-"), "comment-");
  testing::WriteSample(bin_, Md5Of("query"), "query");
  auto state = store::StateDb::Open(dir_ / "state.sqlite");
  ASSERT_TRUE(state);
  SystemClock clock;
  JobStoreSink sink(*state, clock, &state->db());
  ASSERT_TRUE(ImportVtcache(vtcache_, nullptr, bin_, sink));
  for (const char* status : {"comment-", "query"}) {
    auto job = state->Find(Md5Of(status));
    ASSERT_TRUE(job && *job) << status;
    EXPECT_EQ((*job)->path, "") << status;  // hash-only: no upload, hence no comment
  }
  auto submit = state->Find(Md5Of("submit"));
  ASSERT_TRUE(submit && *submit);
  EXPECT_NE((*submit)->path, "");  // VirusTotal lacked it: may still be uploaded
}

TEST_F(VtcacheImportTest, HostileFiles) {
  RecordingSink sink;
  EXPECT_EQ(ImportVtcache(dir_ / "missing.sqlite", nullptr, bin_, sink).error().code,
            ErrorCode::kNotFound);
  honeyvt::testing::WriteFile(dir_ / "garbage.sqlite", "this is not a database at all....");
  EXPECT_EQ(ImportVtcache(dir_ / "garbage.sqlite", nullptr, bin_, sink).error().code,
            ErrorCode::kCorrupt);
  EXPECT_EQ(ImportVtcache(logsql_, nullptr, bin_, sink).error().code, ErrorCode::kCorrupt);
  EXPECT_TRUE(sink.offers().empty());
}

}  // namespace
}  // namespace honeyvt::ingest
