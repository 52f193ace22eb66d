// The poll schedule learns the analysis-time quantiles from poll outcomes alone.
#include "pipeline/poll_schedule.h"

#include <gtest/gtest.h>

#include <random>

#include "core/testing.h"
#include "store/state_db.h"

namespace honeyvt::pipeline {
namespace {

using std::chrono::seconds;

// Polls one analysis of `duration` through the schedule, learning from each outcome;
// returns the number of polls it took.
int PollOnce(PollSchedule& s, double duration) {
  const TimePoint up = FromUnixSeconds(std::int64_t{1700000000});
  TimePoint at = up + s.FirstPoll();
  for (int n = 1;; ++n) {
    const bool done = std::chrono::duration<double>(at - up).count() >= duration;
    EXPECT_TRUE(s.Learn(n, done, nullptr));
    if (done) return n;
    at = s.NextPollAt(up, n, at);
  }
}

TEST(PollScheduleTest, OffsetsConvergeToTheTargetQuantiles) {
  PipelineConfig config;  // first poll 180 s before anything is learnt
  PollSchedule s(config);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> analysis(60, 300);  // 1-5 minutes
  for (int i = 0; i < 2000; ++i) PollOnce(s, analysis(rng));
  // The offsets wander around their targets; compare their averages over many uploads.
  // Quantiles of U(60, 300): 50% -> 180 s, 85% -> 264 s, 96% -> 290 s.
  double sum[3] = {0, 0, 0};
  double polls = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    polls += PollOnce(s, analysis(rng));
    for (int k = 0; k < 3; ++k) sum[k] += static_cast<double>(s.Offset(k + 1).count());
  }
  EXPECT_NEAR(sum[0] / n, 180, 12);
  EXPECT_NEAR(sum[1] / n, 264, 12);
  EXPECT_NEAR(sum[2] / n, 290, 12);
  EXPECT_LE(polls / n, 2.0);
}

TEST(PollScheduleTest, AStuckAnalysisIsPolledWithGrowingGaps) {
  PipelineConfig config;
  PollSchedule s(config);
  const TimePoint up = FromUnixSeconds(std::int64_t{1700000000});
  TimePoint at = up + s.Offset(3);
  int polls = 3;
  while (at - up < config.analysis_deadline) {
    at = s.NextPollAt(up, polls++, at);
  }
  EXPECT_LE(polls, 14);  // about log1.5(3 h / 5 min) more polls, not one every 15 s
}

TEST(PollScheduleTest, LearntOffsetsSurviveARestart) {
  honeyvt::testing::TempDir dir;
  auto state = store::StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(state.has_value());
  PipelineConfig config;
  PollSchedule a(config);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(a.Learn(1, true, &*state));
  ASSERT_LT(a.Offset(1), seconds(180));
  PollSchedule b(config);
  ASSERT_TRUE(b.Load(*state));
  EXPECT_EQ(b.Offset(1), a.Offset(1));
  EXPECT_EQ(b.Offset(2), a.Offset(2));
}

TEST(PollScheduleTest, InsaneStoredValuesAreIgnored) {
  honeyvt::testing::TempDir dir;
  auto state = store::StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(state.has_value());
  ASSERT_TRUE(state->SaveTuning("poll_offset_1", -5));
  ASSERT_TRUE(state->SaveTuning("poll_offset_2", 1e300));
  PipelineConfig config;
  PollSchedule s(config);
  ASSERT_TRUE(s.Load(*state));
  EXPECT_EQ(s.Offset(1), seconds(180));
  EXPECT_LE(s.Offset(2), config.poll_cap);
  EXPECT_GT(s.Offset(2), s.Offset(1));
  EXPECT_GE(s.Offset(3), s.Offset(2));
}

}  // namespace
}  // namespace honeyvt::pipeline
