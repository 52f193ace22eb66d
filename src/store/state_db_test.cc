#include "store/state_db.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "core/testing.h"

namespace honeyvt::store {
namespace {

using domain::EnqueueItem;
using domain::Job;
using domain::JobState;
using domain::Lease;
using honeyvt::testing::TempDir;

const std::string kMd5A(32, 'a');
const std::string kMd5B(32, 'b');
const TimePoint kT0 = FromUnixSeconds(std::int64_t{1700000000});

EnqueueItem Item(std::string md5, int priority = 0, std::string path = "") {
  EnqueueItem it;
  it.md5 = std::move(md5);
  it.priority = priority;
  it.path = std::move(path);
  it.source = "test";
  return it;
}

TEST(StateDbTest, EnqueueIsIdempotentAndRaisesPriority) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db) << db.error().ToString();
  std::vector<EnqueueItem> items = {Item(kMd5A), Item(kMd5B)};
  auto c1 = db->Enqueue(items, kT0);
  ASSERT_TRUE(c1);
  EXPECT_EQ(c1->added, 2);
  auto c2 = db->Enqueue(items, kT0);
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->added, 0);
  EXPECT_EQ(c2->unchanged, 2);
  std::vector<EnqueueItem> raise = {Item(kMd5B, 5)};
  auto c3 = db->Enqueue(raise, kT0);
  ASSERT_TRUE(c3);
  EXPECT_EQ(c3->updated, 1);
  auto lower = db->Enqueue(std::vector<EnqueueItem>{Item(kMd5B, 1)}, kT0);
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->unchanged, 1);
  auto job = db->Find(kMd5B);
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->priority, 5);
  auto counts = db->Counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ((*counts)[0].count, 2);  // lookup
}

TEST(StateDbTest, EnqueueMergesHashesOfTheSameSample) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  EnqueueItem by_sha;
  by_sha.sha256 = std::string(64, 'c');
  ASSERT_TRUE(db->Enqueue(std::vector{by_sha}, kT0));
  EnqueueItem full = Item(kMd5A);
  full.sha256 = by_sha.sha256;
  full.path = "/x/a";
  auto c = db->Enqueue(std::vector{full}, kT0);
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->added, 0);
  EXPECT_EQ(c->updated, 1);
  auto job = db->Find(kMd5A);
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->sha256, by_sha.sha256);
  EXPECT_EQ((*job)->path, "/x/a");
  EXPECT_FALSE(db->Enqueue(std::vector{EnqueueItem{}}, kT0));
}

TEST(StateDbTest, ClaimOrdersByPriorityAndSkipsLeasedAndFutureJobs) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A, 1), Item(kMd5B, 9)}, kT0));
  Lease lease{42, kT0 + std::chrono::minutes(5)};
  auto first = db->Claim(JobState::kLookup, kT0, 1, lease);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].md5, kMd5B);
  auto second = db->Claim(JobState::kLookup, kT0, 5, lease);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->size(), 1u);  // B is leased
  Job a = (*second)[0];
  a.state = JobState::kUpload;
  a.next_action_at = kT0 + std::chrono::hours(1);
  ASSERT_TRUE(db->Finish(a, lease, kT0));
  auto none = db->Claim(JobState::kUpload, kT0, 5, lease);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto later = db->Claim(JobState::kUpload, kT0 + std::chrono::hours(2), 5, lease);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->size(), 1u);
}

TEST(StateDbTest, TopDuePrioritySkipsLeasedAndFutureJobs) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  const std::string c(32, 'c');
  EXPECT_EQ(*db->TopDuePriority(JobState::kLookup, kT0), std::nullopt);
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A, 1), Item(kMd5B, 9), Item(c, 5)}, kT0));
  EXPECT_EQ(*db->TopDuePriority(JobState::kLookup, kT0), 9);
  EXPECT_EQ(*db->TopDuePriority(JobState::kUpload, kT0), std::nullopt);
  Lease lease{42, kT0 + std::chrono::minutes(5)};
  auto b = db->Claim(JobState::kLookup, kT0, 1, lease);  // B (9) leased
  ASSERT_TRUE(b);
  EXPECT_EQ(*db->TopDuePriority(JobState::kLookup, kT0), 5);
  Job later = (*b)[0];
  later.next_action_at = kT0 + std::chrono::hours(1);
  ASSERT_TRUE(db->Finish(later, lease, kT0));  // B back, due in an hour
  EXPECT_EQ(*db->TopDuePriority(JobState::kLookup, kT0), 5);
  EXPECT_EQ(*db->TopDuePriority(JobState::kLookup, kT0 + std::chrono::hours(1)), 9);
}

TEST(StateDbTest, FinishWithoutTheLeaseFails) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A)}, kT0));
  auto jobs = db->Claim(JobState::kLookup, kT0, 1, {7, kT0 + std::chrono::minutes(1)});
  ASSERT_TRUE(jobs && jobs->size() == 1);
  Job j = (*jobs)[0];
  j.state = JobState::kDone;
  auto st = db->Finish(j, {8, kT0}, kT0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kLeaseLost);
}

TEST(StateDbTest, ClaimedButUnfinishedJobOfDeadOwnerIsReclaimed) {
  TempDir dir;
  {
    auto db = StateDb::Open(dir / "state.sqlite");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A), Item(kMd5B)}, kT0));
    // Owner 1001 "crashes" holding A; owner 1002 is alive but its lease on B expired.
    ASSERT_TRUE(db->Claim(JobState::kLookup, kT0, 1, {1001, kT0 + std::chrono::hours(1)}));
    ASSERT_TRUE(db->Claim(JobState::kLookup, kT0, 1, {1002, kT0 + std::chrono::seconds(10)}));
  }
  auto db = StateDb::Open(dir / "state.sqlite");  // a restart
  ASSERT_TRUE(db);
  auto before = db->Claim(JobState::kLookup, kT0, 5, {2000, kT0 + std::chrono::hours(1)});
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->empty());
  auto freed = db->ReclaimLeases(kT0 + std::chrono::minutes(1),
                                 [](std::int64_t owner) { return owner == 1002; });
  ASSERT_TRUE(freed);
  EXPECT_EQ(*freed, 2);
  auto after = db->Claim(JobState::kLookup, kT0, 5, {2000, kT0 + std::chrono::hours(1)});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), 2u);
}

TEST(StateDbTest, RetryRevivesFailedJobs) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A), Item(kMd5B)}, kT0));
  Lease lease{1, kT0 + std::chrono::hours(1)};
  auto jobs = db->Claim(JobState::kLookup, kT0, 2, lease);
  ASSERT_TRUE(jobs && jobs->size() == 2);
  for (Job j : *jobs) {
    j.state = JobState::kFailed;
    j.last_error = "missing file: /nope";
    ASSERT_TRUE(db->Finish(j, lease, kT0));
  }
  auto failed = db->List(JobState::kFailed, 10);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->size(), 2u);
  auto one = db->Retry(domain::RetryScope::kHash, kMd5A, kT0);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, 1);
  auto rest = db->Retry(domain::RetryScope::kFailed, "", kT0);
  ASSERT_TRUE(rest);
  EXPECT_EQ(*rest, 1);
  auto counts = db->Counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ((*counts)[static_cast<int>(JobState::kLookup)].count, 2);
}

TEST(StateDbTest, MissingFileFailureRevivedByEnqueueWithPath) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A, 0, "/gone")}, kT0));
  Lease lease{1, kT0 + std::chrono::hours(1)};
  auto jobs = db->Claim(JobState::kLookup, kT0, 1, lease);
  ASSERT_TRUE(jobs && jobs->size() == 1);
  Job j = (*jobs)[0];
  j.state = JobState::kFailed;
  j.last_error = std::string(domain::kMissingFileReason) + ": /gone";
  ASSERT_TRUE(db->Finish(j, lease, kT0));
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A, 0, "/here")}, kT0));
  auto job = db->Find(kMd5A);
  ASSERT_TRUE(job && *job);
  EXPECT_EQ((*job)->state, JobState::kLookup);
  EXPECT_EQ((*job)->path, "/here");
}

TEST(StateDbTest, RequestLogAndDurationsPersist) {
  TempDir dir;
  {
    auto db = StateDb::Open(dir / "state.sqlite");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->RecordRequest(kT0, "lookup"));
    auto id = db->RecordRequest(kT0 + std::chrono::seconds(20), "upload");
    ASSERT_TRUE(id);
    ASSERT_TRUE(db->SettleRequest(*id, kT0 + std::chrono::seconds(30)));
    ASSERT_TRUE(db->RecordAnalysisDuration(kT0, std::chrono::seconds(90)));
  }
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  auto since = db->RequestsSince(kT0 + std::chrono::seconds(1));
  ASSERT_TRUE(since);
  EXPECT_EQ(since->size(), 1u);
  auto count = db->CountRequestsSince(kT0);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 2);
  ASSERT_TRUE(db->PruneRequests(kT0 + std::chrono::seconds(1)));
  EXPECT_EQ(*db->CountRequestsSince(kT0), 1);
  auto d = db->RecentAnalysisDurations(10);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0], std::chrono::seconds(90));
}

TEST(StateDbTest, CorruptStateIsReportedNotFatal) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A)}, kT0));
  ASSERT_TRUE(db->db().Exec("UPDATE jobs SET state = 'bogus'"));
  auto job = db->Find(kMd5A);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().code, ErrorCode::kCorrupt);
  honeyvt::testing::WriteFile(dir / "junk.sqlite", "not a database at all, clearly");
  EXPECT_FALSE(StateDb::Open(dir / "junk.sqlite"));
}

}  // namespace
}  // namespace honeyvt::store

namespace honeyvt::store {
namespace {

// Where a sample came from and what may be sent for it are arrival facts: a repeated
// enqueue adds folders and tightens restrictions, never the reverse.
TEST(StateDbArrivalTest, EnqueueRecordsFoldersAndNeverRelaxesRestrictions) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  EnqueueItem restricted = Item(kMd5A);
  restricted.may_upload = false;
  restricted.may_comment = false;
  restricted.root = "/data/binaries";
  ASSERT_TRUE(db->Enqueue(std::vector{restricted}, kT0));
  Job job = **db->Find(kMd5A);
  EXPECT_EQ(job.path, "");
  EXPECT_EQ(job.root, "");  // no file yet
  EXPECT_EQ(job.seen_in, std::vector<std::string>{"/data/binaries"});
  EXPECT_FALSE(job.may_upload);

  EnqueueItem with_file = Item(kMd5A, 0, "/data/partner/x");
  with_file.root = "/data/partner";
  with_file.size = 42;
  auto merged = db->Enqueue(std::vector{with_file}, kT0);
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->updated, 1);
  job = **db->Find(kMd5A);
  EXPECT_EQ(job.path, "/data/partner/x");
  EXPECT_EQ(job.root, "/data/partner");
  EXPECT_EQ(job.size, 42);
  EXPECT_EQ(job.seen_in, (std::vector<std::string>{"/data/binaries", "/data/partner"}));
  EXPECT_FALSE(job.may_upload) << "a later arrival relaxed the restriction";
  EXPECT_FALSE(job.may_comment);
  // The same again changes nothing.
  auto again = db->Enqueue(std::vector{with_file}, kT0);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 1);

  EnqueueItem newline = Item(kMd5B);
  newline.root = "/evil\nroot";
  EXPECT_FALSE(db->Enqueue(std::vector{newline}, kT0));
}

TEST(StateDbArrivalTest, AJobWhoseFileWasNotTheSampleTakesANewPath) {
  TempDir dir;
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A, 0, "/a/old")}, kT0));
  auto claimed = db->Claim(JobState::kLookup, kT0, 1, Lease{7, kT0 + std::chrono::minutes(5)});
  ASSERT_TRUE(claimed);
  Job job = claimed->front();
  job.state = JobState::kFailed;
  job.last_error = std::string(domain::kNotTheSampleReason) + ": /a/old is a FIFO";
  ASSERT_TRUE(db->Finish(job, Lease{7, kT0 + std::chrono::minutes(5)}, kT0));
  ASSERT_TRUE(db->Enqueue(std::vector{Item(kMd5A, 0, "/b/new")}, kT0));
  job = **db->Find(kMd5A);
  EXPECT_EQ(job.state, JobState::kLookup);
  EXPECT_EQ(job.path, "/b/new");
}

// Before version 4 the vtcache restrictions lived only in honeyvt_ingest_intent, which
// nothing read; the migration carries them into the jobs.
TEST(StateDbArrivalTest, MigrationCarriesRecordedRestrictionsIntoTheJobs) {
  TempDir dir;
  {
    auto raw = Database::Open(dir / "state.sqlite", {.mode = OpenMode::kCreate});
    ASSERT_TRUE(raw);
    ASSERT_TRUE(raw->Exec(
        "CREATE TABLE jobs (id INTEGER PRIMARY KEY, md5 TEXT, sha1 TEXT, sha256 TEXT,"
        " path TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',"
        " priority INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0, polls INTEGER NOT NULL DEFAULT 0,"
        " requests INTEGER NOT NULL DEFAULT 0, next_action_at INTEGER NOT NULL,"
        " last_error TEXT NOT NULL DEFAULT '', analysis_id TEXT NOT NULL DEFAULT '',"
        " analysis_permalink TEXT NOT NULL DEFAULT '', uploaded_at INTEGER,"
        " lease_owner INTEGER, lease_expires INTEGER, created_at INTEGER NOT NULL,"
        " updated_at INTEGER NOT NULL);"
        "CREATE UNIQUE INDEX jobs_md5_idx ON jobs (md5) WHERE md5 IS NOT NULL;"
        "CREATE TABLE quota_requests (at INTEGER NOT NULL, kind TEXT NOT NULL);"
        "CREATE TABLE analysis_durations (at INTEGER NOT NULL, seconds INTEGER NOT NULL);"
        "CREATE TABLE tuning (key TEXT PRIMARY KEY, value REAL NOT NULL);"
        "CREATE TABLE honeyvt_ingest_intent (md5 TEXT PRIMARY KEY, may_upload INTEGER NOT "
        " NULL, may_comment INTEGER NOT NULL, scan_id TEXT, origin TEXT NOT NULL);"
        "INSERT INTO jobs (md5, path, state, next_action_at, created_at, updated_at) VALUES"
        " ('" +
        kMd5A + "', '/bin/a', 'upload', 0, 0, 0), ('" + kMd5B +
        "', '', 'lookup', 0, 0, 0);"
        "INSERT INTO honeyvt_ingest_intent VALUES ('" +
        kMd5A +
        "', 0, 1, NULL, 'vtcache');"
        "PRAGMA user_version = 2;"));
  }
  auto db = StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db) << db.error().ToString();
  const Job a = **db->Find(kMd5A);
  EXPECT_FALSE(a.may_upload);
  EXPECT_TRUE(a.may_comment);
  EXPECT_EQ(a.root, "");
  const Job b = **db->Find(kMd5B);
  EXPECT_TRUE(b.may_upload);
  EXPECT_TRUE(b.may_comment);
}

// Version 6: a dashboard that kept hourly host rollups at version 5 gets the all-time host
// totals from them, so its overview does not wait for logsql to be read again.
TEST(StateDbMigrationTest, HostTotalsAreBuiltFromTheHourlyRollups) {
  TempDir dir;
  const auto path = dir.path() / "state.sqlite";
  {
    auto db = StateDb::Open(path);
    ASSERT_TRUE(db) << db.error().ToString();
    ASSERT_TRUE(db->db().Exec(
        "DROP TABLE rollup_hosts; DROP INDEX rollup_verdicts_undetected_idx;"
        "INSERT INTO rollup_attackers (hour, host, connections, downloads) VALUES"
        " (0, '198.51.100.1', 3, 1), (3600, '198.51.100.1', 4, 0), (0, '192.0.2.9', 1, 2);"
        "PRAGMA user_version = 5;"));
  }
  auto db = StateDb::Open(path);
  ASSERT_TRUE(db) << db.error().ToString();
  auto s = db->db().Prepare("SELECT host, connections, downloads FROM rollup_hosts ORDER BY host");
  ASSERT_TRUE(s);
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t>> rows;
  while (*s->Step()) rows.emplace_back(s->Text(0), s->Int64(1), s->Int64(2));
  EXPECT_EQ(rows, (std::vector<std::tuple<std::string, std::int64_t, std::int64_t>>{
                      {"192.0.2.9", 1, 2}, {"198.51.100.1", 7, 1}}));
}

}  // namespace
}  // namespace honeyvt::store
