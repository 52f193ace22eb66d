#include "pipeline/engine.h"

#include <gtest/gtest.h>

#include "core/digest.h"
#include "pipeline/engine_test_rig.h"

namespace honeyvt::pipeline {
namespace {

using domain::JobState;
using std::chrono::seconds;
using testing::kKnownMd5;
using testing::kT0;
using testing::MakeReport;
using testing::Method;
using testing::Rig;

TEST(EngineTest, KnownSampleIsStoredAndDone) {
  Rig rig;
  rig.vt.AddKnown(
      MakeReport(kKnownMd5, std::string(40, '2'), std::string(64, '3'), 5, 20, 1600000000));
  rig.EnqueueHash(kKnownMd5);
  EXPECT_EQ(rig.Drain(), 1);
  auto job = rig.Job(kKnownMd5);
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_EQ(job.sha256, std::string(64, '3'));  // learnt from the report
  EXPECT_EQ(job.requests, 1);
  EXPECT_EQ(rig.Rows("virustotals"), 1);
  EXPECT_EQ(rig.Rows("virustotalscans"), 20);
  EXPECT_EQ(rig.vt.calls, std::vector<std::string>{"report " + kKnownMd5});
}

TEST(EngineTest, UnknownSampleIsUploadedPolledStoredThenCommented) {
  Rig rig;
  rig.vt.polls_until_complete = 1;
  const auto path = rig.File("sample", "harmless bytes");
  const auto d = DigestBytes("harmless bytes");
  rig.Enqueue(d, path);
  EXPECT_EQ(rig.Drain(), 2);  // lookup -> upload; upload -> poll
  auto job = rig.Job(d.md5);
  EXPECT_EQ(job.state, JobState::kPoll);
  EXPECT_EQ(job.next_action_at, kT0 + seconds(120));  // first poll: 120 s after the upload
  rig.clock.Set(kT0 + seconds(119));
  EXPECT_EQ(rig.Drain(), 0);
  rig.clock.Set(kT0 + seconds(120));
  EXPECT_EQ(rig.Drain(), 1);  // still queued
  job = rig.Job(d.md5);
  EXPECT_EQ(job.state, JobState::kPoll);
  rig.clock.Set(job.next_action_at);
  // The poll finds the analysis complete: the verdict is stored at once, and only then the
  // comment is posted (VirusTotal refuses comments on files it has not processed).
  EXPECT_EQ(rig.Drain(), 2);
  job = rig.Job(d.md5);
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_EQ(job.requests, 5);  // lookup, upload, 2 polls, comment
  EXPECT_EQ(rig.Rows("virustotals"), 1);
  EXPECT_EQ(rig.Rows("virustotalscans"), 10);
  EXPECT_EQ(rig.vt.Count("comment " + d.sha256), 1);
  EXPECT_EQ(rig.vt.calls.back(), "comment " + d.sha256);
  // The observed duration was persisted.
  EXPECT_EQ(rig.state.RecentAnalysisDurations(5)->size(), 1u);
}

TEST(EngineTest, MissingAndOversizedFilesFailWithoutAnUpload) {
  Rig rig;
  rig.config.max_upload_size = 10;
  rig.Rebuild();
  const auto big = rig.File("big", "more than ten bytes");
  rig.Enqueue(DigestBytes("more than ten bytes"), big);
  const auto gone = DigestBytes("gone");
  rig.Enqueue(gone, (rig.dir / "gone").string());
  rig.Drain();
  auto j1 = rig.Job(DigestBytes("more than ten bytes").md5);
  EXPECT_EQ(j1.state, JobState::kFailed);
  EXPECT_NE(j1.last_error.find("too large"), std::string::npos);
  auto j2 = rig.Job(gone.md5);
  EXPECT_EQ(j2.state, JobState::kFailed);
  EXPECT_EQ(j2.last_error.rfind(domain::kMissingFileReason, 0), 0u);
  EXPECT_EQ(rig.vt.Count("upload"), 0);
  EXPECT_EQ(rig.state.CountRequestsSince(kT0).value(), 2);  // the two lookups only
}

TEST(EngineTest, UploadNeverParksUnknownSamplesForALaterLookup) {
  Rig rig;
  rig.config.upload = UploadPolicy::kNever;
  rig.Rebuild();
  const auto path = rig.File("s", "abc");
  rig.Enqueue(DigestBytes("abc"), path);
  rig.Drain();
  auto job = rig.Job(DigestBytes("abc").md5);
  EXPECT_EQ(job.state, JobState::kRelookup);
  EXPECT_EQ(job.next_action_at, kT0 + rig.config.relookup_interval);
  EXPECT_EQ(rig.vt.Count("upload"), 0);
  // Later VirusTotal learns it from someone else.
  rig.vt.AddKnown(MakeReport(job.md5, job.sha1, job.sha256, 1, 3, 1600000000));
  rig.clock.Set(job.next_action_at);
  rig.Drain();
  EXPECT_EQ(rig.Job(job.md5).state, JobState::kDone);
}

TEST(EngineTest, TransientErrorsBackOffExponentiallyThenFail) {
  Rig rig;
  rig.EnqueueHash(kKnownMd5);
  for (int i = 0; i < 20; ++i) rig.vt.Fault(Method::kReport, ErrorCode::kTransient);
  std::vector<Duration> delays;
  for (int i = 0; i < rig.config.max_attempts; ++i) {
    ASSERT_TRUE(*rig.Step());
    auto job = rig.Job(kKnownMd5);
    if (job.state == JobState::kFailed) break;
    delays.push_back(job.next_action_at - rig.clock.Now());
    rig.clock.Set(job.next_action_at);
  }
  auto job = rig.Job(kKnownMd5);
  EXPECT_EQ(job.state, JobState::kFailed);
  EXPECT_NE(job.last_error.find("gave up after 8 attempts"), std::string::npos);
  ASSERT_EQ(delays.size(), 7u);
  EXPECT_GE(delays[0], seconds(22));
  EXPECT_LE(delays[0], seconds(38));
  EXPECT_GT(delays[3], delays[0] * 4);
  EXPECT_LE(delays[6], seconds(4500));  // capped (3600 s + jitter)
}

TEST(EngineTest, QuotaExceededPausesThePipelineAndKeepsTheJob) {
  Rig rig({"4/1m"});
  rig.EnqueueHash(kKnownMd5);
  rig.vt.AddKnown(MakeReport(kKnownMd5, "", std::string(64, '3'), 1, 2, 1600000000));
  rig.vt.Fault(Method::kReport, ErrorCode::kQuotaExceeded, seconds(90));
  ASSERT_TRUE(*rig.Step());
  auto job = rig.Job(kKnownMd5);
  EXPECT_EQ(job.state, JobState::kLookup);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_FALSE(*rig.Step());  // paused
  rig.clock.Advance(seconds(89));
  EXPECT_FALSE(*rig.Step());
  rig.clock.Advance(seconds(1));
  EXPECT_TRUE(*rig.Step());
  EXPECT_EQ(rig.Job(kKnownMd5).state, JobState::kDone);
}

TEST(EngineTest, RateLimitedBacksOff) {
  Rig rig;
  rig.EnqueueHash(kKnownMd5);
  rig.vt.AddKnown(MakeReport(kKnownMd5, "", std::string(64, '3'), 1, 2, 1600000000));
  rig.vt.Fault(Method::kReport, ErrorCode::kRateLimited);
  ASSERT_TRUE(*rig.Step());
  EXPECT_FALSE(*rig.Step());
  rig.clock.Advance(rig.config.rate_limit_pause);
  EXPECT_TRUE(*rig.Step());
  EXPECT_EQ(rig.Job(kKnownMd5).state, JobState::kDone);
}

TEST(EngineTest, AuthFailureStopsAndKeepsEveryJob) {
  Rig rig;
  rig.EnqueueHash(kKnownMd5);
  rig.vt.Fault(Method::kReport, ErrorCode::kAuthFailed);
  auto r = rig.Step();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
  EXPECT_NE(r.error().message.find("HONEYVT_API_KEY"), std::string::npos);
  auto job = rig.Job(kKnownMd5);
  EXPECT_EQ(job.state, JobState::kLookup);
  auto again = rig.state.Claim(JobState::kLookup, rig.clock.Now(), 5, {1, kT0 + seconds(5)});
  EXPECT_EQ(again->size(), 1u);  // not left leased
}

TEST(EngineTest, RejectedRequestsFailTerminally) {
  Rig rig;
  rig.EnqueueHash(kKnownMd5);
  rig.vt.Fault(Method::kReport, ErrorCode::kForbidden);
  ASSERT_TRUE(*rig.Step());
  auto job = rig.Job(kKnownMd5);
  EXPECT_EQ(job.state, JobState::kFailed);
  EXPECT_NE(job.last_error.find("rejected"), std::string::npos);
}

TEST(EngineTest, QueuedReportIsLookedUpAgainLater) {
  Rig rig;
  rig.EnqueueHash(kKnownMd5);
  rig.vt.Fault(Method::kReport, ErrorCode::kQueued);
  ASSERT_TRUE(*rig.Step());
  auto job = rig.Job(kKnownMd5);
  EXPECT_EQ(job.state, JobState::kRelookup);
  EXPECT_GT(job.next_action_at, rig.clock.Now());
}

TEST(EngineTest, AnalysisPastTheDeadlineIsLookedUpInsteadOfPolledForEver) {
  Rig rig;
  rig.config.comment = false;
  rig.Rebuild();
  rig.vt.polls_until_complete = 1000000;
  const auto path = rig.File("slow", "slow sample");
  const auto d = DigestBytes("slow sample");
  rig.Enqueue(d, path);
  rig.Drain();
  int polls = 0;
  while (rig.Job(d.md5).state == JobState::kPoll && polls < 100) {
    rig.clock.Set(rig.Job(d.md5).next_action_at);
    rig.Drain();
    ++polls;
  }
  auto job = rig.Job(d.md5);
  EXPECT_EQ(job.state, JobState::kRelookup);
  EXPECT_NE(job.last_error.find("deadline"), std::string::npos);
  EXPECT_LT(polls, 30);
}

TEST(EngineTest, CommentThatKeepsFailingIsSkippedNotStuck) {
  Rig rig;
  const auto path = rig.File("c", "comment me");
  const auto d = DigestBytes("comment me");
  rig.Enqueue(d, path);
  for (int i = 0; i < 5; ++i) rig.vt.Fault(Method::kComment, ErrorCode::kNotFound);
  rig.Drain();
  for (int i = 0; i < 20 && rig.Job(d.md5).state != JobState::kDone; ++i) {
    rig.clock.Set(rig.Job(d.md5).next_action_at);
    rig.Drain();
  }
  auto job = rig.Job(d.md5);
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_NE(job.last_error.find("comment not posted"), std::string::npos);
  EXPECT_EQ(rig.vt.Count("comment"), rig.config.comment_max_attempts);
  EXPECT_EQ(rig.Rows("virustotals"), 1);  // the verdict was stored before the comment
}

TEST(EngineTest, V2BatchesLookupsAndHonoursPriority) {
  Rig rig;
  rig.vt.version = 2;
  rig.vt.max_batch = 25;
  rig.config.v2_batch_size = 4;
  rig.Rebuild();
  for (int i = 0; i < 6; ++i) {
    std::string md5(32, static_cast<char>('a' + i));
    rig.vt.AddKnown(
        MakeReport(md5, "", std::string(64, static_cast<char>('a' + i)), 0, 5, 1600000000));
    rig.EnqueueHash(md5, i == 5 ? 10 : 0);
  }
  ASSERT_TRUE(*rig.Step());
  // The high-priority sample was in the first batch.
  EXPECT_EQ(rig.Job(std::string(32, 'f')).state, JobState::kDone);
  EXPECT_EQ(rig.Drain(), 1);
  EXPECT_EQ(rig.vt.calls, (std::vector<std::string>{"reports 4", "reports 2"}));
  EXPECT_EQ(rig.state.CountRequestsSince(kT0).value(), 2);
  EXPECT_EQ(rig.Rows("virustotals"), 6);
}

TEST(EngineTest, DuePollsOfUploadedSamplesGoBeforeNewLookups) {
  Rig rig({"1/1m"});
  rig.config.comment = false;
  rig.config.first_poll_default = seconds(1);
  rig.Rebuild();
  rig.vt.polls_until_complete = 0;
  const auto path = rig.File("u", "unknown one");
  const auto d = DigestBytes("unknown one");
  rig.Enqueue(d, path);
  ASSERT_TRUE(*rig.Step());  // lookup
  rig.clock.Advance(seconds(60));
  ASSERT_TRUE(*rig.Step());  // upload; first poll due 1 s later
  rig.EnqueueHash(kKnownMd5);
  rig.vt.AddKnown(MakeReport(kKnownMd5, "", std::string(64, '3'), 1, 2, 1600000000));
  rig.clock.Advance(seconds(60));
  ASSERT_TRUE(*rig.Step());
  // Finishing the started sample costs one request and gives a verdict; the new one waits.
  EXPECT_EQ(rig.vt.calls.back().rfind("analysis ", 0), 0u) << rig.vt.calls.back();
  EXPECT_EQ(rig.Job(d.md5).state, JobState::kDone);
  EXPECT_EQ(rig.Job(kKnownMd5).state, JobState::kLookup);
  rig.clock.Advance(seconds(60));
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back(), "report " + kKnownMd5);
}

TEST(EngineTest, WeakReportIsRefreshedOnlyWithSpareQuotaAndReplacesTheOldOne) {
  // 10 requests a day: at 12:00 UTC the even pace allows 5.
  Rig rig({"10/1d"});
  rig.clock.Set(FromUnixSeconds(std::int64_t{1700006400}));  // 2023-11-15 00:00 UTC
  rig.Rebuild();
  rig.vt.AddKnown(MakeReport(kKnownMd5, "", std::string(64, '3'), 1, 60, 1600000000));
  rig.EnqueueHash(kKnownMd5);
  ASSERT_EQ(rig.Drain(), 1);
  auto job = rig.Job(kKnownMd5);
  ASSERT_EQ(job.state, JobState::kDone);
  EXPECT_EQ(job.next_action_at, rig.clock.Now() + rig.config.refresh_weak_after);
  // VirusTotal re-analysed it: 14 engines now.
  rig.vt.known.clear();
  rig.vt.AddKnown(MakeReport(kKnownMd5, "", std::string(64, '3'), 14, 60, 1600090000));
  // A day later, at 00:30: the day's pace allows no optional request yet.
  rig.clock.Set(FromUnixSeconds(std::int64_t{1700006400 + 86400 + 1800}));
  EXPECT_EQ(rig.Drain(), 0);
  // Noon: spare quota; the refresh runs and replaces the old verdict in logsql.
  rig.clock.Set(FromUnixSeconds(std::int64_t{1700006400 + 86400 + 43200}));
  EXPECT_EQ(rig.Drain(), 1);
  EXPECT_EQ(rig.vt.calls.back(), "report " + kKnownMd5);
  EXPECT_EQ(rig.Rows("virustotals"), 1);
  auto db = store::Database::Open(rig.dir / "logsql.sqlite", {});
  auto stmt =
      db->Prepare("SELECT count(*) FROM virustotalscans WHERE virustotalscan_result IS NOT NULL");
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->Int64(0), 14);
  job = rig.Job(kKnownMd5);
  EXPECT_EQ(job.state, JobState::kDone);  // now well detected: next refresh after refresh_age
  EXPECT_EQ(job.next_action_at, rig.clock.Now() + rig.config.refresh_age);
}

TEST(EngineTest, RefreshNeverTakesQuotaANewSampleIsWaitingFor) {
  Rig rig({"1/1m"});
  rig.config.refresh_weak_after = seconds(0);
  rig.Rebuild();
  rig.vt.AddKnown(MakeReport(kKnownMd5, "", std::string(64, '3'), 0, 60, 1600000000));
  rig.EnqueueHash(kKnownMd5);
  ASSERT_EQ(rig.Drain(), 1);
  const std::string fresh(32, '7');
  rig.vt.AddKnown(MakeReport(fresh, "", std::string(64, '7'), 30, 60, 1600000000));
  rig.EnqueueHash(fresh);
  for (int minute = 1; minute <= 3; ++minute) {
    rig.clock.Advance(seconds(60));
    rig.Drain();
  }
  // The new sample got the first open minute; the refresh only a later one.
  ASSERT_GE(rig.vt.calls.size(), 3u);
  EXPECT_EQ(rig.vt.calls[1], "report " + fresh);
  EXPECT_EQ(rig.vt.calls[2], "report " + kKnownMd5);
}

TEST(EngineTest, RefreshThatFindsNothingKeepsTheReportAndTheJobDone) {
  Rig rig;
  rig.config.refresh_weak_after = seconds(10);
  rig.Rebuild();
  rig.vt.AddKnown(MakeReport(kKnownMd5, "", std::string(64, '3'), 0, 60, 1600000000));
  rig.EnqueueHash(kKnownMd5);
  ASSERT_EQ(rig.Drain(), 1);
  rig.vt.known.clear();
  rig.vt.Fault(Method::kReport, ErrorCode::kTransient);
  rig.clock.Advance(seconds(10));
  ASSERT_EQ(rig.Drain(), 1);
  auto job = rig.Job(kKnownMd5);
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_NE(job.last_error.find("refresh"), std::string::npos);
  EXPECT_EQ(job.attempts, 0);
  rig.clock.Advance(seconds(10));
  ASSERT_EQ(rig.Drain(), 1);  // not found now: still done, the stored verdict stays
  EXPECT_EQ(rig.Job(kKnownMd5).state, JobState::kDone);
  EXPECT_EQ(rig.Rows("virustotals"), 1);
}

TEST(EngineTest, RefreshCanBeSwitchedOff) {
  Rig rig;
  rig.config.refresh = false;
  rig.config.refresh_weak_after = seconds(0);
  rig.Rebuild();
  rig.vt.AddKnown(MakeReport(kKnownMd5, "", std::string(64, '3'), 0, 60, 1600000000));
  rig.EnqueueHash(kKnownMd5);
  ASSERT_EQ(rig.Drain(), 1);
  rig.clock.Advance(seconds(100000));
  EXPECT_EQ(rig.Drain(), 0);
}

TEST(EngineTest, RepeatedLookupAfterACrashWritesNoSecondRow) {
  Rig rig;
  auto report = MakeReport(kKnownMd5, "", std::string(64, '3'), 2, 4, 1600000000);
  rig.vt.AddKnown(report);
  rig.EnqueueHash(kKnownMd5);
  // The crashed run stored the report, then died before finishing the job.
  ASSERT_TRUE(rig.writer->Write(report, 3, kT0));
  rig.Drain();
  EXPECT_EQ(rig.Job(kKnownMd5).state, JobState::kDone);
  EXPECT_EQ(rig.Rows("virustotals"), 1);
  EXPECT_EQ(rig.Rows("virustotalscans"), 4);
}

TEST(EngineTest, EveryRequestCountsInTheQuota) {
  Rig rig({"3/1m"});
  rig.config.comment = true;
  rig.config.first_poll_default = seconds(0);
  rig.Rebuild();
  const auto path = rig.File("q", "quota sample");
  const std::string md5 = DigestBytes("quota sample").md5;
  rig.Enqueue(DigestBytes("quota sample"), path);
  EXPECT_EQ(rig.Drain(), 2);  // lookup, upload; the first poll is due poll_min later
  for (int i = 0; i < 20 && rig.Job(md5).state != JobState::kDone; ++i) {
    rig.clock.Set(std::max(rig.clock.Now() + seconds(10), rig.Job(md5).next_action_at));
    rig.Drain();
  }
  EXPECT_EQ(rig.Job(md5).state, JobState::kDone);
  // lookup, upload, two polls (the first answers "queued"), comment: all in the log.
  EXPECT_EQ(rig.vt.calls.size(), 5u);
  EXPECT_EQ(rig.state.CountRequestsSince(kT0).value(), 5);
  auto times = rig.state.RequestsSince(kT0);
  ASSERT_TRUE(times);
  for (std::size_t i = 3; i < times->size(); ++i) {
    EXPECT_GE((*times)[i] - (*times)[i - 3], seconds(60)) << "request " << i;
  }
}

}  // namespace
}  // namespace honeyvt::pipeline
