// Steps held back while the day's quota binds: on v2 lookups wait to fill the free slots
// of a poll request; on v3 uploads keep the day's even pace so that polls find the rate
// window open. Neither happens when only the rate binds or the day has room for all.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/digest.h"
#include "pipeline/engine_test_rig.h"

namespace honeyvt::pipeline {
namespace {

using domain::JobState;
using std::chrono::hours;
using std::chrono::seconds;
using testing::kT0;
using testing::MakeReport;
using testing::Rig;

// 00:00 UTC, 2023-11-15.
const TimePoint kMidnight = FromUnixSeconds(std::int64_t{1700006400});

// Hex digits of i + 1, zero-padded to `width`.
std::string Hex(int i, int width) {
  char buf[72];
  std::snprintf(buf, sizeof buf, "%0*x", width, static_cast<unsigned>(i + 1));
  return buf;
}
std::string HexMd5(int i) { return Hex(i, 32); }

// `n` samples VirusTotal knows, enqueued for lookup.
void AddKnown(Rig& rig, int n, int priority = 0) {
  for (int i = 0; i < n; ++i) {
    rig.vt.AddKnown(MakeReport(HexMd5(i), "", Hex(i, 64), 2, 5, 1600000000));
    rig.EnqueueHash(HexMd5(i), priority);
  }
}

// The rig on v2: the fake takes up to 25 resources, honeyvt asks 4 at a time; no comments.
void OnV2(Rig& rig) {
  rig.vt.version = 2;
  rig.vt.max_batch = 25;
  rig.config.v2_batch_size = 4;
  rig.config.comment = false;
  rig.Rebuild();
}

// Enqueues a sample file with this content and priority; returns its md5.
std::string EnqueueFile(Rig& rig, const std::string& content, int priority) {
  const ContentDigests d = DigestBytes(content);
  domain::EnqueueItem item{d.md5, d.sha1, d.sha256, rig.File(d.md5, content), "test", priority};
  EXPECT_TRUE(rig.state.Enqueue(std::vector{item}, rig.clock.Now()));
  return d.md5;
}

// A v2 rig with one uploaded sample whose first poll is due at kT0 + first_poll, and
// `known` lookups due; the clock 60 s after the upload.
std::string V2WithAPollComing(Rig& rig, int known, seconds first_poll = seconds(120)) {
  rig.config.first_poll_default = first_poll;
  OnV2(rig);
  rig.vt.polls_until_complete = 0;
  const ContentDigests d = DigestBytes("an unknown sample");
  rig.Enqueue(d, rig.File("unknown", "an unknown sample"));
  rig.Drain();
  EXPECT_EQ(rig.Job(d.md5).state, JobState::kPoll);
  AddKnown(rig, known);
  rig.clock.Set(kT0 + seconds(60));
  rig.vt.calls.clear();
  return d.md5;
}

TEST(EngineHoldTest, V2LookupsWaitForThePollWhenTheDayBinds) {
  // 2 used by the upload: 18 left, short of 20 lookup requests and the poll.
  Rig rig({"4/1m", "20/1d"});
  const std::string md5 = V2WithAPollComing(rig, 80);
  EXPECT_FALSE(*rig.Step());
  EXPECT_TRUE(rig.vt.calls.empty());
  EXPECT_EQ(rig.engine->lookups_held_until(), kT0 + seconds(120));
  rig.clock.Set(kT0 + seconds(120));
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls, std::vector<std::string>{"batch 1+3"});  // the poll and 3 riders
  EXPECT_EQ(rig.Job(md5).state, JobState::kDone);
  EXPECT_FALSE(rig.engine->lookups_held_until());
  // No poll left to ride on: the lookups go on their own again.
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back(), "reports 4");
}

TEST(EngineHoldTest, V2LookupsGoAloneWhenOnlyTheRateBinds) {
  Rig rig({"4/1m"});
  V2WithAPollComing(rig, 80);
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls, std::vector<std::string>{"reports 4"});
  EXPECT_FALSE(rig.engine->lookups_held_until());
}

TEST(EngineHoldTest, V2LookupsGoAloneWhenTheDayHasRoomForAll) {
  Rig rig({"4/1m", "40/1d"});  // 38 left: 20 lookup requests and the poll fit
  V2WithAPollComing(rig, 80);
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls, std::vector<std::string>{"reports 4"});
}

TEST(EngineHoldTest, V2LookupsDoNotWaitForAFarPoll) {
  Rig rig({"4/1m", "20/1d"});
  V2WithAPollComing(rig, 80, seconds(900));  // the poll is due in 14 minutes
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls, std::vector<std::string>{"reports 4"});
}

TEST(EngineHoldTest, V2AHigherUploadGoesFirstThenLookupsWaitForItsPoll) {
  Rig rig({"4/1m", "20/1d"});
  OnV2(rig);
  AddKnown(rig, 80);
  const std::string md5 = EnqueueFile(rig, "an unknown sample", 5);
  ASSERT_TRUE(*rig.Step());  // nothing to ride on yet: a lookup of 4, the unknown first
  EXPECT_EQ(rig.Job(md5).state, JobState::kUpload);
  ASSERT_TRUE(*rig.Step());  // lookups come before uploads, but now they can ride later
  EXPECT_EQ(rig.vt.calls.back().rfind("upload ", 0), 0u) << rig.vt.calls.back();
  EXPECT_FALSE(*rig.Step());  // and they wait for its poll
  EXPECT_EQ(rig.vt.calls.size(), 2u);
  EXPECT_EQ(rig.engine->lookups_held_until(), rig.Job(md5).next_action_at);
}

TEST(EngineHoldTest, V2FresherLookupsDoNotWaitForALessUrgentUpload) {
  Rig rig({"4/1m", "20/1d"});
  OnV2(rig);
  const std::string md5 = EnqueueFile(rig, "a backlog sample", 5);
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.Job(md5).state, JobState::kUpload);
  AddKnown(rig, 80, 1000);  // the honeypot's new catch arrives while the upload is due
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back(), "reports 4");
  EXPECT_EQ(rig.Job(md5).state, JobState::kUpload);
}

TEST(EngineHoldTest, V2LookupsWaitForAnEqualUploadOnlyWhenMostFindUnknownSamples) {
  Rig rig({"4/1m", "50/1d"});
  OnV2(rig);
  for (int i = 0; i < 60; ++i) EnqueueFile(rig, "unknown sample " + std::to_string(i), 0);
  // Equal priorities: lookups go on while the share of unknown samples they found is
  // still below 3/4 (a moving average: 1 - 0.95^n after n unknown samples, 3/4 at n = 28).
  for (int step = 0; step < 12; ++step) {
    ASSERT_TRUE(*rig.Step());
    rig.clock.Advance(seconds(15));
    if (rig.vt.calls.back() != "reports 4") break;
  }
  EXPECT_EQ(rig.vt.Count("reports 4"), 7);
  EXPECT_EQ(rig.vt.calls.back().rfind("upload ", 0), 0u) << rig.vt.calls.back();
}

TEST(EngineHoldTest, AnUploadOfHigherPriorityGoesBeforeLookups) {
  Rig rig;  // v3, no calendar window: the priority rule holds whatever binds
  const std::string md5 = EnqueueFile(rig, "the honeypot's new catch", 1000);
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.Job(md5).state, JobState::kUpload);
  AddKnown(rig, 3, 1);  // the backlog
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back().rfind("upload ", 0), 0u) << rig.vt.calls.back();
  // A backlog upload does not pass a fresher lookup, and equal priorities keep the order.
  EnqueueFile(rig, "a backlog sample", 1);
  rig.EnqueueHash(HexMd5(3), 1000);
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back(), "report " + HexMd5(3));
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back().rfind("report ", 0), 0u) << rig.vt.calls.back();
}

// A v3 rig at 01:00 UTC with `n` unknown samples enqueued; returns their md5s.
std::vector<std::string> V3Unknown(Rig& rig, int n) {
  rig.config.comment = false;
  rig.Rebuild();
  rig.clock.Set(kMidnight + hours(1));
  std::vector<std::string> md5s;
  for (int i = 0; i < n; ++i) {
    const std::string content = "unknown v3 sample " + std::to_string(i);
    const ContentDigests d = DigestBytes(content);
    rig.Enqueue(d, rig.File("v3-" + std::to_string(i), content));
    md5s.push_back(d.md5);
  }
  return md5s;
}

TEST(EngineHoldTest, V3UploadsKeepTheDaysPaceWhenTheDayBinds) {
  Rig rig({"48/1d"});  // one request per 30 minutes at an even pace
  const auto md5s = V3Unknown(rig, 10);
  rig.Drain();  // the lookups (not paced)
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kUpload);
  // 10 used: the 11th request is due at 11/48 of the day (05:30).
  const TimePoint pace = kMidnight + std::chrono::minutes(330);
  EXPECT_EQ(rig.engine->uploads_held_until(), pace);
  rig.clock.Set(pace);
  ASSERT_TRUE(*rig.Step());
  EXPECT_EQ(rig.vt.calls.back().rfind("upload ", 0), 0u) << rig.vt.calls.back();
  EXPECT_FALSE(*rig.Step());
  EXPECT_EQ(rig.engine->uploads_held_until(), pace + std::chrono::minutes(30));
}

TEST(EngineHoldTest, V3UploadsAreNotPacedWhenTheDayHasRoomForAll) {
  Rig rig({"500/1d"});
  const auto md5s = V3Unknown(rig, 3);
  rig.Drain();
  for (const auto& md5 : md5s) EXPECT_EQ(rig.Job(md5).state, JobState::kPoll);
}

}  // namespace
}  // namespace honeyvt::pipeline
