// The fleet's one queue: enqueue and sightings, claims, fencing, upload eligibility.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "store/pg/fleet_test_util.h"

namespace honeyvt::pg {
namespace {

using domain::Job;
using domain::JobState;
using namespace testing;  // NOLINT(google-build-using-namespace): test helpers

const std::string kA = Md5Of(0xa);
const std::string kB = Md5Of(0xb);

TEST(FleetJobsTest, TheSameSampleFromThreeSensorsIsOneJobWithThreeSightings) {
  HONEYVT_PG_DATABASE(db);
  FleetDb s1 = Worker(db, "sensor-1");
  FleetDb s2 = Worker(db, "sensor-2");
  FleetDb s3 = Worker(db, "sensor-3");
  std::vector<std::jthread> threads;
  std::vector<Result<domain::EnqueueCounts>> results(3, MakeError(ErrorCode::kInternal, ""));
  FleetDb* all[] = {&s1, &s2, &s3};
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      results[i] =
          all[i]->Enqueue(std::vector{Item(kA, "/s" + std::to_string(i) + "/" + kA, i)}, kT0);
    });
  }
  threads.clear();
  std::int64_t added = 0;
  for (auto& r : results) {
    ASSERT_TRUE(r) << r.error().ToString();
    added += r->added;
  }
  EXPECT_EQ(added, 1);
  EXPECT_EQ(Scalar(s1, "SELECT count(*) FROM honeyvt.jobs"), 1);
  EXPECT_EQ(Scalar(s1, "SELECT count(*) FROM honeyvt.sightings WHERE has_file"), 3);
  // The priority rose to the highest offered.
  EXPECT_EQ((*s1.Find(kA))->priority, 2);
  // Each sensor sees its own copy.
  EXPECT_EQ((*s2.Find(kA))->path, "/s1/" + kA);
  // Enqueueing again changes nothing.
  auto again = s1.Enqueue(std::vector{Item(kA, "/s0/" + kA, 0)}, kT0);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 1);
}

// Issue 15's arrival facts in the fleet: each sensor's copy keeps its folder, the
// folders it was offered from and its size; may_upload/may_comment are fleet-wide and
// only ever tighten, whichever sensor records them.
TEST(FleetJobsTest, TrustFieldsAreStoredPerCopyAndRestrictionsOnlyTighten) {
  HONEYVT_PG_DATABASE(db);
  FleetDb s1 = Worker(db, "sensor-1");
  FleetDb s2 = Worker(db, "sensor-2");
  domain::EnqueueItem first = Item(kA, "/hp1/binaries/" + kA);
  first.root = "/hp1/binaries";
  first.size = 1234;
  ASSERT_TRUE(s1.Enqueue(std::vector{first}, kT0));
  domain::EnqueueItem again = first;
  again.path = "/hp1/watch/" + kA;
  again.root = "/hp1/watch";
  ASSERT_TRUE(s1.Enqueue(std::vector{again}, kT0));
  // Another sensor's vtcache says VirusTotal has the file and a comment was posted.
  domain::EnqueueItem cached = Item(kA);
  cached.may_upload = false;
  cached.may_comment = false;
  auto tightened = s2.Enqueue(std::vector{cached}, kT0);
  ASSERT_TRUE(tightened) << tightened.error().ToString();
  EXPECT_EQ(tightened->updated, 1);
  // A later arrival that allows everything does not loosen them.
  ASSERT_TRUE(s2.Enqueue(std::vector{Item(kA, "/hp2/binaries/" + kA)}, kT0));
  auto job = s1.Find(kA);
  ASSERT_TRUE(job && *job);
  EXPECT_FALSE((*job)->may_upload);
  EXPECT_FALSE((*job)->may_comment);
  EXPECT_EQ((*job)->path, "/hp1/watch/" + kA);
  EXPECT_EQ((*job)->root, "/hp1/watch");
  EXPECT_EQ((*job)->size, 1234);
  EXPECT_EQ((*job)->seen_in, (std::vector<std::string>{"/hp1/binaries", "/hp1/watch"}));
  // The claim carries them too (the engine decides on the claimed job).
  const domain::Lease lease{s1.identity().worker_id, kT0 + std::chrono::minutes(5)};
  auto claimed = s1.Claim(JobState::kLookup, kT0, 1, lease);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_FALSE((*claimed)[0].may_upload);
  EXPECT_EQ((*claimed)[0].root, "/hp1/watch");
  // Sensor 2 sees its own copy's folder (it recorded none).
  auto other = s2.Find(kA);
  ASSERT_TRUE(other && *other);
  EXPECT_EQ((*other)->path, "/hp2/binaries/" + kA);
  EXPECT_EQ((*other)->root, "");
}

TEST(FleetJobsTest, ConcurrentClaimsNeverShareAJob) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w1 = Worker(db, "a");
  FleetDb w2 = Worker(db, "a");
  std::vector<domain::EnqueueItem> items;
  for (int i = 0; i < 400; ++i) items.push_back(Item(Md5Of(i)));
  ASSERT_TRUE(w1.Enqueue(items, kT0));
  std::vector<std::int64_t> got[2];
  FleetDb* ws[] = {&w1, &w2};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        const domain::Lease lease{ws[t]->identity().worker_id, kT0 + std::chrono::minutes(5)};
        while (true) {
          auto jobs = ws[t]->Claim(JobState::kLookup, kT0, 3, lease);
          if (!jobs || jobs->empty()) return;
          for (Job& j : *jobs) {
            got[t].push_back(j.id);
            j.state = JobState::kDone;
            EXPECT_TRUE(ws[t]->Finish(j, lease, kT0));
          }
        }
      });
    }
  }
  std::set<std::int64_t> all(got[0].begin(), got[0].end());
  all.insert(got[1].begin(), got[1].end());
  EXPECT_EQ(all.size(), 400u);
  EXPECT_EQ(got[0].size() + got[1].size(), 400u);
  EXPECT_EQ(Scalar(w1, "SELECT count(*) FROM honeyvt.jobs WHERE state = 'done'"), 400);
}

TEST(FleetJobsTest, ALateCompletionIsRefusedByTheFencingToken) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w1 = Worker(db, "a");
  FleetDb w2 = Worker(db, "b");
  ASSERT_TRUE(w1.Enqueue(std::vector{Item(kA)}, kT0));
  const domain::Lease l1{w1.identity().worker_id, kT0 + std::chrono::seconds(1)};
  auto first = w1.Claim(JobState::kLookup, kT0, 1, l1);
  ASSERT_TRUE(first && first->size() == 1);
  // w1 stalls; its lease runs out and w2's sweep takes the job back; w2 claims it again.
  ASSERT_TRUE(w1.connection().Query(
      "UPDATE honeyvt.jobs SET lease_expires = honeyvt.clock() - interval '1 s'"));
  auto swept = w2.Sweep(std::chrono::hours(1), 3);
  ASSERT_TRUE(swept);
  EXPECT_EQ(*swept, 1);
  const domain::Lease l2{w2.identity().worker_id, kT0 + std::chrono::minutes(5)};
  auto second = w2.Claim(JobState::kLookup, kT0 + std::chrono::hours(1), 1, l2);
  ASSERT_TRUE(second && second->size() == 1);
  EXPECT_GT((*second)[0].lease_token, (*first)[0].lease_token);
  Job late = (*first)[0];
  late.state = JobState::kFailed;
  late.last_error = "stale";
  auto refused = w1.Finish(late, l1, kT0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kLeaseLost);
  EXPECT_EQ(w1.Release(late, l1).error().code, ErrorCode::kLeaseLost);
  Job fresh = (*second)[0];
  fresh.state = JobState::kDone;
  ASSERT_TRUE(w2.Finish(fresh, l2, kT0));
  auto now = w1.Find(kA);
  EXPECT_EQ((*now)->state, JobState::kDone);
  EXPECT_EQ((*now)->last_error, "");
}

TEST(FleetJobsTest, UploadsGoOnlyToSensorsThatHoldTheFileAndMayUpload) {
  HONEYVT_PG_DATABASE(db);
  FleetDb holder = Worker(db, "holder");
  FleetDb other = Worker(db, "other");
  FleetDb never = Worker(db, "never", {}, UploadPolicy::kNever);
  ASSERT_TRUE(holder.Enqueue(std::vector{Item(kA, "/bin/" + kA)}, kT0));
  ASSERT_TRUE(never.Enqueue(std::vector{Item(kA, "/n/" + kA)}, kT0));
  ASSERT_TRUE(other.Enqueue(std::vector{Item(kA)}, kT0));
  ASSERT_TRUE(other.connection().Query("UPDATE honeyvt.jobs SET state = 'upload'"));
  const auto lease = [](FleetDb& w) {
    return domain::Lease{w.identity().worker_id, kT0 + std::chrono::minutes(5)};
  };
  // The non-holder sees the sample as uploadable (someone holds it) but cannot claim it.
  EXPECT_EQ((*other.Find(kA))->path, "/bin/" + kA);
  EXPECT_TRUE(other.Claim(JobState::kUpload, kT0, 1, lease(other))->empty());
  EXPECT_TRUE(never.Claim(JobState::kUpload, kT0, 1, lease(never))->empty());
  auto counts = other.ActiveCounts(100);
  EXPECT_EQ((*counts)[1].count, 0);  // upload: nothing for this sensor
  EXPECT_FALSE((*other.TopDuePriority(JobState::kUpload, kT0)).has_value());
  auto up = holder.Claim(JobState::kUpload, kT0, 1, lease(holder));
  ASSERT_TRUE(up && up->size() == 1);
  EXPECT_EQ((*up)[0].path, "/bin/" + kA);
  // Its file is gone: the holder loses its copy; nobody else may upload, so it fails.
  Job j = (*up)[0];
  j.state = JobState::kFailed;
  j.last_error = "missing file: /bin/" + kA;
  ASSERT_TRUE(holder.Finish(j, lease(holder), kT0));
  EXPECT_EQ((*holder.Find(kA))->state, JobState::kFailed);
  EXPECT_EQ(Scalar(holder, "SELECT count(*) FROM honeyvt.sightings WHERE has_file"), 1);
  // A sensor that may upload catches the file again: the job is revived.
  auto revived = other.Enqueue(std::vector{Item(kA, "/o/" + kA)}, kT0);
  ASSERT_TRUE(revived);
  EXPECT_EQ(revived->updated, 1);
  EXPECT_EQ((*other.Find(kA))->state, JobState::kLookup);
}

TEST(FleetJobsTest, AMissingFileOnOneHolderLeavesTheUploadToAnother) {
  HONEYVT_PG_DATABASE(db);
  FleetDb h1 = Worker(db, "h1");
  FleetDb h2 = Worker(db, "h2");
  ASSERT_TRUE(h1.Enqueue(std::vector{Item(kA, "/h1/" + kA)}, kT0));
  ASSERT_TRUE(h2.Enqueue(std::vector{Item(kA, "/h2/" + kA)}, kT0));
  ASSERT_TRUE(h1.connection().Query("UPDATE honeyvt.jobs SET state = 'upload'"));
  const domain::Lease l1{h1.identity().worker_id, kT0 + std::chrono::minutes(5)};
  auto up = h1.Claim(JobState::kUpload, kT0, 1, l1);
  ASSERT_TRUE(up && up->size() == 1);
  Job j = (*up)[0];
  j.state = JobState::kFailed;
  j.last_error = "missing file: /h1/" + kA;
  ASSERT_TRUE(h1.Finish(j, l1, kT0));
  EXPECT_EQ((*h1.Find(kA))->state, JobState::kUpload);
  const domain::Lease l2{h2.identity().worker_id, kT0 + std::chrono::minutes(5)};
  const TimePoint later = FromUnixSeconds(std::int64_t{4000000000});
  EXPECT_TRUE(h1.Claim(JobState::kUpload, later, 1, l1)->empty());  // h1 lost its copy
  auto up2 = h2.Claim(JobState::kUpload, later, 1, l2);
  ASSERT_TRUE(up2 && up2->size() == 1);
  EXPECT_EQ((*up2)[0].path, "/h2/" + kA);
}

TEST(FleetJobsTest, LookupsAreClaimedNewestFirstWithinAPriority) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a");
  ASSERT_TRUE(w.Enqueue(std::vector{Item(kA)}, kT0));
  ASSERT_TRUE(w.Enqueue(std::vector{Item(kB)}, kT0 + std::chrono::seconds(1)));
  ASSERT_TRUE(w.Enqueue(std::vector{Item(Md5Of(0xc), "", 5)}, kT0));
  const domain::Lease lease{w.identity().worker_id, kT0 + std::chrono::minutes(5)};
  auto jobs = w.Claim(JobState::kLookup, kT0 + std::chrono::seconds(2), 3, lease);
  ASSERT_TRUE(jobs && jobs->size() == 3);
  EXPECT_EQ((*jobs)[0].md5, Md5Of(0xc));
  EXPECT_EQ((*jobs)[1].md5, kB);
  EXPECT_EQ((*jobs)[2].md5, kA);
}

TEST(FleetJobsTest, RetryRevivesFailedJobsAndCountsListsWork) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a");
  ASSERT_TRUE(w.Enqueue(std::vector{Item(kA), Item(kB)}, kT0));
  ASSERT_TRUE(w.connection().Query(
      "UPDATE honeyvt.jobs SET state = 'failed', last_error = 'x' WHERE md5 = $1", Params(kA)));
  auto counts = w.Counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ((*counts)[static_cast<int>(JobState::kFailed)].count, 1);
  EXPECT_EQ((*counts)[static_cast<int>(JobState::kLookup)].count, 1);
  auto failed = w.List(JobState::kFailed, 10);
  ASSERT_TRUE(failed && failed->size() == 1);
  EXPECT_EQ((*failed)[0].md5, kA);
  EXPECT_EQ(*w.Retry(domain::RetryScope::kFailed, "", kT0), 1);
  EXPECT_EQ((*w.Find(kA))->state, JobState::kLookup);
  EXPECT_EQ(*w.Retry(domain::RetryScope::kHash, kB, kT0), 1);
  auto bad = w.Enqueue(std::vector{domain::EnqueueItem{}}, kT0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace honeyvt::pg
