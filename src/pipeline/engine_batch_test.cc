// Batched polls on v2: due polls share one file/report request, polls falling due within
// the slack and lookups ride along in the room left, every answer goes to its own job's
// step, hostile answers lose no job; v3 keeps one GET /analyses per poll.
#include <gtest/gtest.h>

#include "core/digest.h"
#include "pipeline/engine_test_rig.h"

namespace honeyvt::pipeline {
namespace {

using domain::JobState;
using std::chrono::seconds;
using testing::kT0;
using testing::MakeReport;
using testing::Method;
using testing::Rig;
using FakeClientBatch = vt::Client::BatchAnswer;

// Enqueues `n` unknown samples and steps until they are all uploaded; returns their md5s.
std::vector<std::string> UploadSamples(Rig& rig, int n, int first = 0) {
  std::vector<std::string> md5s;
  for (int i = first; i < first + n; ++i) {
    const std::string content = "unknown sample " + std::to_string(i);
    const ContentDigests d = DigestBytes(content);
    rig.Enqueue(d, rig.File("s" + std::to_string(i), content));
    md5s.push_back(d.md5);
  }
  rig.Drain();
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kPoll);
  return md5s;
}

// A v2 rig (the fake takes up to 25 resources, honeyvt asks 4 at a time; no comments)
// with `n` uploaded samples whose analyses take `polls_until_complete` polls, the clock at
// their first poll offset (first_poll_default, 120 s); returns their md5s.
std::vector<std::string> UploadedOnV2(Rig& rig, int n, int polls_until_complete) {
  rig.vt.version = 2;
  rig.vt.max_batch = 25;
  rig.config.v2_batch_size = 4;
  rig.config.comment = false;
  rig.Rebuild();
  rig.vt.polls_until_complete = polls_until_complete;
  auto md5s = UploadSamples(rig, n);
  rig.clock.Set(kT0 + seconds(120));
  return md5s;
}

std::string KnownMd5(int i) { return std::string(32, static_cast<char>('a' + i)); }

void AddKnown(Rig& rig, int i) {
  rig.vt.AddKnown(
      MakeReport(KnownMd5(i), "", std::string(64, static_cast<char>('a' + i)), 2, 5, 1600000000));
  rig.EnqueueHash(KnownMd5(i));
}

TEST(EngineBatchTest, DuePollsGoOutAsOneRequest) {
  Rig rig;
  const auto md5s = UploadedOnV2(rig, 3, 0);
  const std::int64_t before = rig.state.CountRequestsSince(kT0).value();
  rig.vt.calls.clear();
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls, std::vector<std::string>{"batch 3+0"});
  EXPECT_EQ(rig.state.CountRequestsSince(kT0).value(), before + 1);  // one quota charge
  for (const auto& md5 : md5s) {
    auto job = rig.Job(md5);
    EXPECT_EQ(job.state, JobState::kDone) << md5;
    EXPECT_EQ(job.polls, 1);
    EXPECT_EQ(job.requests, 3);  // lookup (shared), upload, poll (shared)
  }
  EXPECT_EQ(rig.Rows("virustotals"), 3);
  EXPECT_EQ(rig.state.RecentAnalysisDurations(5)->size(), 3u);
}

// Samples uploaded one after the other (a request latency apart) have polls falling due
// that far apart. A poll due within the slack (poll_min / 2) rides along with the due one
// instead of costing a request of its own moments later; one due later does not.
TEST(EngineBatchTest, PollsFallingDueWithinTheSlackRideAlong) {
  Rig rig;
  rig.config.poll_min = seconds(16);  // slack 8 s
  UploadedOnV2(rig, 0, 0);
  std::vector<std::string> md5s;
  const int uploaded_at[] = {0, 7, 9};  // seconds after kT0
  for (int i = 0; i < 3; ++i) {
    rig.clock.Set(kT0 + seconds(uploaded_at[i]));
    md5s.push_back(UploadSamples(rig, 1, i).front());
  }
  rig.clock.Set(kT0 + seconds(120));  // the first poll of the first sample is due
  rig.vt.calls.clear();
  const std::int64_t before = rig.state.CountRequestsSince(kT0).value();
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls, std::vector<std::string>{"batch 2+0"});
  EXPECT_EQ(rig.state.CountRequestsSince(kT0).value(), before + 1);
  EXPECT_EQ(rig.Job(md5s[0]).state, JobState::kDone);
  EXPECT_EQ(rig.Job(md5s[1]).state, JobState::kDone);  // due at +127 s, polled 7 s early
  EXPECT_EQ(rig.Job(md5s[1]).polls, 1);
  auto last = rig.Job(md5s[2]);  // due at +129 s: beyond the slack
  EXPECT_EQ(last.state, JobState::kPoll);
  EXPECT_EQ(last.polls, 0);
  EXPECT_FALSE(*rig.Step());  // nothing due now
  rig.clock.Set(last.next_action_at);
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back().rfind("analysis ", 0), 0u) << rig.vt.calls.back();
  EXPECT_EQ(rig.Job(md5s[2]).state, JobState::kDone);
}

// The slack never makes a poll request of its own: polls are only pulled forward into a
// request that a due poll makes anyway.
TEST(EngineBatchTest, NoPollGoesOutBeforeOneIsDue) {
  Rig rig;
  const auto md5s = UploadedOnV2(rig, 2, 0);
  rig.clock.Set(kT0 + seconds(119));  // due in 1 s, well within the slack
  rig.vt.calls.clear();
  EXPECT_FALSE(*rig.Step());
  EXPECT_TRUE(rig.vt.calls.empty());
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kPoll);
}

TEST(EngineBatchTest, LookupsRideAlongInTheRoomLeft) {
  Rig rig;
  const auto md5s = UploadedOnV2(rig, 2, 0);
  for (int i = 0; i < 3; ++i) AddKnown(rig, i);
  const std::int64_t before = rig.state.CountRequestsSince(kT0).value();
  rig.vt.calls.clear();
  ASSERT_TRUE(*rig.Step());
  // Two polls, then two of the three new lookups: one request.
  EXPECT_EQ(rig.vt.calls, std::vector<std::string>{"batch 2+2"});
  EXPECT_EQ(rig.state.CountRequestsSince(kT0).value(), before + 1);
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kDone);
  int done = 0;
  for (int i = 0; i < 3; ++i) done += rig.Job(KnownMd5(i)).state == JobState::kDone ? 1 : 0;
  EXPECT_EQ(done, 2);
  // No poll is due any more: the last lookup goes alone.
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back().rfind("report ", 0), 0u) << rig.vt.calls.back();
  EXPECT_EQ(rig.Rows("virustotals"), 5);
}

TEST(EngineBatchTest, AnUnfinishedPollIsRescheduledAndLearntFrom) {
  Rig rig;
  // The first poll answers "queued" (v2: an error).
  const auto md5s = UploadedOnV2(rig, 2, 1);
  ASSERT_TRUE(*rig.Step());
  for (const auto& md5 : md5s) {
    auto job = rig.Job(md5);
    EXPECT_EQ(job.state, JobState::kPoll);
    EXPECT_EQ(job.polls, 1);
    EXPECT_EQ(job.attempts, 0);  // "queued" is no error
    EXPECT_EQ(job.next_action_at, rig.polls->NextPollAt(kT0, 1, kT0 + seconds(120)));
  }
  // Two polls found the analysis unfinished: the first offset moved up.
  EXPECT_GT(rig.polls->Offset(1), seconds(120));
  rig.clock.Set(rig.Job(md5s[0]).next_action_at);
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back(), "batch 2+0");
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kDone);
}

TEST(EngineBatchTest, V3PollsOneAnalysisPerRequest) {
  Rig rig;
  rig.config.comment = false;
  rig.Rebuild();
  rig.vt.polls_until_complete = 0;
  const auto md5s = UploadSamples(rig, 2);
  rig.clock.Set(kT0 + seconds(120));
  rig.EnqueueHash(testing::kKnownMd5);
  rig.vt.calls.clear();
  EXPECT_EQ(rig.Drain(), 3);
  EXPECT_EQ(rig.vt.Count("analysis "), 2);
  EXPECT_EQ(rig.vt.Count("batch"), 0);
  EXPECT_EQ(rig.vt.calls.back(), "report " + testing::kKnownMd5);
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kDone);
}

TEST(EngineBatchTest, AShortAnswerLosesNoJob) {
  Rig rig;
  const auto md5s = UploadedOnV2(rig, 2, 0);
  AddKnown(rig, 0);
  rig.vt.batch_tamper = [](FakeClientBatch& a) { a.lookups.clear(); };
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back(), "batch 2+1");
  for (const auto& md5 : md5s) {
    auto job = rig.Job(md5);
    EXPECT_EQ(job.state, JobState::kPoll);
    EXPECT_EQ(job.attempts, 1);
    EXPECT_NE(job.last_error.find("answered 2 of 3"), std::string::npos) << job.last_error;
  }
  EXPECT_EQ(rig.Job(KnownMd5(0)).state, JobState::kLookup);
  EXPECT_EQ(rig.Job(KnownMd5(0)).attempts, 1);
  // The next try, after the backoff, gets a whole answer.
  rig.vt.batch_tamper = nullptr;
  rig.clock.Advance(seconds(3600));
  rig.Drain();
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kDone);
  EXPECT_EQ(rig.Job(KnownMd5(0)).state, JobState::kDone);
}

TEST(EngineBatchTest, AnItemForAnotherResourceFailsOnlyThatJob) {
  Rig rig;
  const auto md5s = UploadedOnV2(rig, 2, 0);
  rig.vt.batch_tamper = [](FakeClientBatch& a) {
    a.polls[0] = MakeError(ErrorCode::kTransient, "answered for resource ffff");
  };
  ASSERT_TRUE(*rig.Step());
  auto first = rig.Job(md5s[0]);
  EXPECT_EQ(first.state, JobState::kPoll);  // kept, tried again after a backoff
  EXPECT_EQ(first.attempts, 1);
  EXPECT_NE(first.last_error.find("ffff"), std::string::npos);
  EXPECT_EQ(rig.Job(md5s[1]).state, JobState::kDone);
}

TEST(EngineBatchTest, AFailedRequestKeepsEveryJob) {
  Rig rig;
  const auto md5s = UploadedOnV2(rig, 2, 0);
  // A body that is not JSON is a transient failure of the whole request.
  rig.vt.Fault(Method::kBatch, ErrorCode::kTransient);
  ASSERT_TRUE(*rig.Step());
  for (const auto& md5 : md5s) {
    EXPECT_EQ(rig.Job(md5).state, JobState::kPoll);
    EXPECT_EQ(rig.Job(md5).attempts, 1);
  }
  // Quota exceeded: one pause for the whole request, nothing counted against the jobs.
  rig.clock.Advance(seconds(3600));
  rig.vt.Fault(Method::kBatch, ErrorCode::kQuotaExceeded, seconds(60));
  ASSERT_TRUE(*rig.Step());
  EXPECT_FALSE(rig.quota->Available(rig.clock.Now()));
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kPoll);
  rig.clock.Advance(seconds(3600));
  rig.Drain();
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kDone);
}

}  // namespace
}  // namespace honeyvt::pipeline
