// Workers: liveness through the session lock and heartbeats, reclaiming, poison samples.
#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "store/pg/fleet_test_util.h"

namespace honeyvt::pg {
namespace {

using domain::Job;
using domain::JobState;
using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using std::chrono::milliseconds;

domain::Lease LeaseOf(FleetDb& w) { return {w.identity().worker_id, kT0 + std::chrono::hours(1)}; }

void AgeHeartbeat(FleetDb& db, std::int64_t worker) {
  ASSERT_TRUE(db.connection().Query(
      "UPDATE honeyvt.workers SET heartbeat_at = heartbeat_at - interval '1 hour' "
      "WHERE worker_id = $1",
      Params(worker)));
}

TEST(FleetWorkersTest, ADeadWorkersJobsAreReclaimedOnlyOnceItsSessionIsGone) {
  HONEYVT_PG_DATABASE(db);
  FleetDb survivor = Worker(db, "b");
  std::optional<FleetDb> dying = Worker(db, "a");
  ASSERT_TRUE(dying->Enqueue(std::vector{Item(Md5Of(1), "/a/1"), Item(Md5Of(2))}, kT0));
  ASSERT_TRUE(dying->connection().Query("UPDATE honeyvt.jobs SET state = 'upload' WHERE md5 = $1",
                                        Params(Md5Of(1))));
  ASSERT_EQ(dying->Claim(JobState::kUpload, kT0, 1, LeaseOf(*dying))->size(), 1u);
  ASSERT_EQ(dying->Claim(JobState::kLookup, kT0, 1, LeaseOf(*dying))->size(), 1u);
  const std::int64_t id = dying->identity().worker_id;
  // A stale heartbeat alone is not death: the session (and its lock) is alive.
  AgeHeartbeat(survivor, id);
  EXPECT_EQ(*survivor.Sweep(milliseconds(3000), 3), 0);
  dying.reset();  // the process is gone: its session ends, the lock is free
  int reclaimed = 0;
  for (int i = 0; i < 50 && reclaimed == 0; ++i) {
    // The server notices the closed session within milliseconds.
    std::this_thread::sleep_for(milliseconds(20));
    reclaimed = *survivor.Sweep(milliseconds(3000), 3);
  }
  EXPECT_EQ(reclaimed, 2);
  EXPECT_EQ(Scalar(survivor, "SELECT count(*) FROM honeyvt.jobs WHERE lease_owner IS NULL"), 2);
  // The interrupted upload is looked up again first (VirusTotal may have the file now).
  EXPECT_EQ((*survivor.Find(Md5Of(1)))->state, JobState::kLookup);
  EXPECT_EQ(Scalar(survivor,
                   "SELECT count(*) FROM honeyvt.workers WHERE worker_id = $1 AND "
                   "stopped_at IS NOT NULL",
                   Params(id)),
            1);
}

TEST(FleetWorkersTest, ASampleThatCrashesWorkersThreeTimesFailsWithThatReason) {
  HONEYVT_PG_DATABASE(db);
  FleetDb sweeper = Worker(db, "s");
  ASSERT_TRUE(sweeper.Enqueue(std::vector{Item(Md5Of(7))}, kT0));
  for (int crash = 1; crash <= 3; ++crash) {
    std::optional<FleetDb> victim = Worker(db, "v");
    const auto t = kT0 + std::chrono::hours(crash);
    ASSERT_EQ(victim->Claim(JobState::kLookup, t, 1, LeaseOf(*victim))->size(), 1u) << crash;
    const std::int64_t id = victim->identity().worker_id;
    victim.reset();
    AgeHeartbeat(sweeper, id);
    int reclaimed = 0;
    for (int i = 0; i < 50 && reclaimed == 0; ++i) {
      std::this_thread::sleep_for(milliseconds(20));
      reclaimed = *sweeper.Sweep(milliseconds(1000), 3);
    }
    EXPECT_EQ(reclaimed, 1);
  }
  auto job = sweeper.Find(Md5Of(7));
  EXPECT_EQ((*job)->state, JobState::kFailed);
  EXPECT_NE((*job)->last_error.find("crashed 3 times"), std::string::npos) << (*job)->last_error;
  // `retry` revives it.
  EXPECT_EQ(*sweeper.Retry(domain::RetryScope::kFailed, "", kT0), 1);
  EXPECT_EQ((*sweeper.Find(Md5Of(7)))->state, JobState::kLookup);
}

TEST(FleetWorkersTest, ACleanStopFreesTheLeasesAndAHeartbeatReopensAPresumedDeadWorker) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a");
  ASSERT_TRUE(w.Enqueue(std::vector{Item(Md5Of(1))}, kT0));
  ASSERT_EQ(w.Claim(JobState::kLookup, kT0, 1, LeaseOf(w))->size(), 1u);
  ASSERT_TRUE(w.StopWorker("stopped by signal"));
  EXPECT_EQ(Scalar(w, "SELECT count(*) FROM honeyvt.jobs WHERE lease_owner IS NULL"), 1);
  ASSERT_TRUE(w.Heartbeat());
  EXPECT_EQ(Scalar(w, "SELECT count(*) FROM honeyvt.workers WHERE stopped_at IS NULL"), 1);
}

TEST(FleetWorkersTest, AKeyKeepsTheSettingsItWasRegisteredWith) {
  HONEYVT_PG_DATABASE(db);
  KeySettings first;
  first.windows = {Sliding("4/1m", 4, milliseconds(60000))};
  FleetDb a = Worker(db, "a", first);
  KeySettings second = first;
  second.windows = {Sliding("10/1m", 10, milliseconds(60000))};
  auto b = FleetDb::Open(db.dsn(), "test");
  ASSERT_TRUE(b);
  ASSERT_TRUE(b->UseSensor("b", UploadPolicy::kAlways));
  std::string mismatch;
  ASSERT_TRUE(b->UseKey(kFingerprint, second, &mismatch));
  EXPECT_NE(mismatch.find("4/1m"), std::string::npos) << mismatch;
  EXPECT_NE(mismatch.find("10/1m"), std::string::npos) << mismatch;
  EXPECT_EQ(b->key_settings().windows, first.windows);
  EXPECT_EQ(b->identity().key_id, a.identity().key_id);
  ASSERT_TRUE(b->UseKey(kFingerprint, first, &mismatch));
  EXPECT_EQ(mismatch, "");
}

}  // namespace
}  // namespace honeyvt::pg
