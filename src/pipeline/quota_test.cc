#include "pipeline/quota.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "store/state_db.h"

namespace honeyvt::pipeline {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 2023-11-14 22:13:20 UTC.
const TimePoint kT0 = FromUnixSeconds(std::int64_t{1700000000});

std::vector<QuotaWindow> Windows(std::vector<std::string> specs) {
  auto w = ParseQuotaWindows(specs);
  EXPECT_TRUE(w) << w.error().ToString();
  return *w;
}

TEST(QuotaTest, ParsesWindowsAndRejectsBadOnes) {
  auto w = Windows({"4/1m", "500/1d", "15500/1mo", "10/2s", "20/5m", "7/h"});
  ASSERT_EQ(w.size(), 6u);
  EXPECT_EQ(w[0].kind, QuotaWindow::Kind::kSliding);
  EXPECT_EQ(w[0].length, seconds(60));
  EXPECT_EQ(w[1].kind, QuotaWindow::Kind::kUtcDays);
  EXPECT_EQ(w[2].kind, QuotaWindow::Kind::kUtcMonths);
  EXPECT_EQ(w[3].length, seconds(2));
  EXPECT_EQ(w[5].length, hours(1));
  for (const char* bad : {"", "4", "0/1m", "-1/1m", "4/0m", "4/1y", "x/1m", "4/1m/2"}) {
    EXPECT_FALSE(ParseQuotaWindows({bad})) << bad;
  }
}

TEST(QuotaTest, SlidingMinuteAllowsFourThenOpensWhenTheOldestLeaves) {
  QuotaGovernor q(Windows({"4/1m"}), nullptr);
  for (int i = 0; i < 4; ++i) {
    const TimePoint t = kT0 + seconds(10 * i);
    ASSERT_TRUE(q.Available(t));
    ASSERT_TRUE(q.Record(t, "lookup"));
  }
  EXPECT_FALSE(q.Available(kT0 + seconds(40)));
  EXPECT_EQ(q.NextOpening(kT0 + seconds(40)), kT0 + seconds(60));
  EXPECT_TRUE(q.Available(kT0 + seconds(60)));
  ASSERT_TRUE(q.Record(kT0 + seconds(60), "poll"));
  EXPECT_EQ(q.NextOpening(kT0 + seconds(61)), kT0 + seconds(70));
}

TEST(QuotaTest, SettledRequestsCountFromTheirAnswer) {
  // The server may count a slow request late: the window runs from the answer.
  QuotaGovernor q(Windows({"2/10s"}), nullptr);
  ASSERT_TRUE(q.Record(kT0, "lookup"));
  ASSERT_TRUE(q.Settle(kT0, kT0 + seconds(3)));
  ASSERT_TRUE(q.Record(kT0 + seconds(4), "lookup"));
  ASSERT_TRUE(q.Settle(kT0 + seconds(4), kT0 + seconds(4)));
  EXPECT_EQ(q.NextOpening(kT0 + seconds(5)), kT0 + seconds(13));
}

TEST(QuotaTest, DayWindowResetsAtUtcMidnightNotAfter24Hours) {
  QuotaGovernor q(Windows({"2/1d"}), nullptr);
  ASSERT_TRUE(q.Record(kT0, "lookup"));
  ASSERT_TRUE(q.Record(kT0 + minutes(1), "lookup"));
  EXPECT_FALSE(q.Available(kT0 + minutes(2)));
  const TimePoint midnight = FromUnixSeconds(std::int64_t{1700006400});  // 2023-11-15 00:00
  EXPECT_EQ(q.NextOpening(kT0 + minutes(2)), midnight);
  EXPECT_TRUE(q.Available(midnight));
  auto usage = q.Usage(midnight);
  EXPECT_EQ(usage[0].used, 0);
  EXPECT_EQ(usage[0].resets_at, midnight + hours(24));
}

TEST(QuotaTest, MonthWindowResetsOnTheFirst) {
  QuotaGovernor q(Windows({"1/1mo"}), nullptr);
  ASSERT_TRUE(q.Record(kT0, "lookup"));
  EXPECT_EQ(q.NextOpening(kT0), FromUnixSeconds(std::int64_t{1701388800}));  // 2023-12-01
}

TEST(QuotaTest, UsageSurvivesARestart) {
  honeyvt::testing::TempDir dir;
  {
    auto db = store::StateDb::Open(dir / "state.sqlite");
    ASSERT_TRUE(db);
    QuotaGovernor q(Windows({"4/1m", "5/1d"}), &*db);
    ASSERT_TRUE(q.Load(kT0));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.Record(kT0 + seconds(i), "lookup"));
    ASSERT_TRUE(q.Record(kT0 + seconds(3), "lookup"));
    ASSERT_TRUE(q.Settle(kT0 + seconds(3), kT0 + seconds(5)));  // a slow answer
  }
  auto db = store::StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  QuotaGovernor q(Windows({"4/1m", "5/1d"}), &*db);
  ASSERT_TRUE(q.Load(kT0 + seconds(30)));
  EXPECT_FALSE(q.Available(kT0 + seconds(30)));  // the same minute is not spent twice
  EXPECT_EQ(q.NextOpening(kT0 + seconds(30)), kT0 + seconds(60));
  // The slow request counts from its answer (5 s), as persisted before the restart.
  EXPECT_EQ(q.Usage(kT0 + seconds(64))[0].used, 1);
  ASSERT_TRUE(q.Record(kT0 + seconds(60), "lookup"));
  // 5 today: the day is used up until midnight.
  EXPECT_EQ(q.NextOpening(kT0 + seconds(120)), FromUnixSeconds(std::int64_t{1700006400}));
}

TEST(QuotaTest, UnansweredRequestOfAKilledRunCountsFromTheRestart) {
  honeyvt::testing::TempDir dir;
  {
    auto db = store::StateDb::Open(dir / "state.sqlite");
    ASSERT_TRUE(db);
    QuotaGovernor q(Windows({"2/1m"}), &*db);
    ASSERT_TRUE(q.Load(kT0));
    ASSERT_TRUE(q.Record(kT0, "lookup"));
    ASSERT_TRUE(q.Settle(kT0, kT0 + seconds(1)));
    ASSERT_TRUE(q.Record(kT0 + seconds(2), "upload"));  // killed before the answer
  }
  auto db = store::StateDb::Open(dir / "state.sqlite");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->SettleLatestRequest(kT0 + seconds(20)));  // what a starting daemon does
  QuotaGovernor q(Windows({"2/1m"}), &*db);
  ASSERT_TRUE(q.Load(kT0 + seconds(20)));
  EXPECT_FALSE(q.Available(kT0 + seconds(20)));
  // The answered request frees its slot at 61 s; the unanswered one only 60 s after the
  // restart, not 60 s after it was sent (the server may have counted it at any time since).
  EXPECT_EQ(q.NextOpening(kT0 + seconds(20)), kT0 + seconds(61));
  EXPECT_EQ(q.Usage(kT0 + seconds(62))[0].used, 1);
  EXPECT_EQ(q.Usage(kT0 + seconds(79))[0].used, 1);
  EXPECT_EQ(q.Usage(kT0 + seconds(80))[0].used, 0);
}

TEST(QuotaTest, UnexpectedQuotaErrorPausesAndLowersTheEstimate) {
  QuotaGovernor q(Windows({"4/1m", "500/1d"}), nullptr);
  ASSERT_TRUE(q.Record(kT0, "lookup"));
  ASSERT_TRUE(q.Record(kT0 + seconds(1), "lookup"));
  q.OnQuotaExceeded(kT0 + seconds(2), std::nullopt);
  EXPECT_EQ(q.NextOpening(kT0 + seconds(2)), kT0 + seconds(62));
  EXPECT_EQ(q.Usage(kT0 + seconds(2))[0].limit, 2);  // lowered to what the server allowed
  q.OnQuotaExceeded(kT0 + seconds(70), seconds(300));
  EXPECT_GE(q.NextOpening(kT0 + seconds(70)), kT0 + seconds(370));
  // The third surprise of the day: assume the day is used up.
  q.OnQuotaExceeded(kT0 + seconds(400), std::nullopt);
  EXPECT_EQ(q.NextOpening(kT0 + seconds(500)), FromUnixSeconds(std::int64_t{1700006400}));
}

TEST(QuotaTest, EstimateCompletionUsesTheTightestWindow) {
  QuotaGovernor q(Windows({"4/1m", "500/1d"}), nullptr);
  EXPECT_EQ(q.EstimateCompletion(kT0, 4), kT0);
  EXPECT_EQ(q.EstimateCompletion(kT0, 100), kT0 + minutes(24));
  // 1000 requests need the next UTC day too.
  EXPECT_GE(q.EstimateCompletion(kT0, 1000), FromUnixSeconds(std::int64_t{1700006400}));
}

TEST(QuotaTest, PeriodBoundaries) {
  QuotaWindow day = Windows({"1/1d"})[0];
  EXPECT_EQ(PeriodStart(day, kT0), FromUnixSeconds(std::int64_t{1699920000}));
  QuotaWindow month = Windows({"1/1mo"})[0];
  EXPECT_EQ(PeriodStart(month, kT0), FromUnixSeconds(std::int64_t{1698796800}));  // 2023-11-01
  EXPECT_EQ(PeriodEnd(month, kT0), FromUnixSeconds(std::int64_t{1701388800}));
}

}  // namespace
}  // namespace honeyvt::pipeline

namespace honeyvt::pipeline {
namespace {

TEST(QuotaTest, SpareQuotaKeepsAnEvenPaceThroughTheDay) {
  QuotaGovernor q(Windows({"4/1m", "100/1d"}), nullptr);
  const TimePoint midnight = FromUnixSeconds(std::int64_t{1700006400});
  EXPECT_FALSE(q.Spare(midnight + seconds(30)));  // 1 > 100 * 30/86400
  EXPECT_TRUE(q.Spare(midnight + hours(6)));      // 1 <= 25
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(q.Record(midnight + hours(5) + minutes(i), "lookup"));
  EXPECT_FALSE(q.Spare(midnight + hours(6)));               // 26 > 25: ahead of pace
  EXPECT_TRUE(q.Available(midnight + hours(6)));            // normal work may still go
  EXPECT_TRUE(q.Spare(midnight + hours(6) + minutes(15)));  // 26 <= 26.04
}

TEST(QuotaTest, PaceOpeningIsWhenTheEvenPaceAllowsTheNextRequest) {
  QuotaGovernor q(Windows({"4/1m", "100/1d"}), nullptr);
  const TimePoint midnight = FromUnixSeconds(std::int64_t{1700006400});
  EXPECT_EQ(q.PaceOpening(midnight + seconds(30)), midnight + seconds(864));  // 1/100 day
  EXPECT_EQ(q.PaceOpening(midnight + hours(6)), midnight + hours(6));         // behind pace
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(q.Record(midnight + hours(5) + minutes(i), "lookup"));
  const TimePoint at = q.PaceOpening(midnight + hours(6));
  EXPECT_EQ(at, midnight + seconds(26 * 864));  // the 26th request: 26/100 of the day
  EXPECT_TRUE(q.Spare(at));
  EXPECT_FALSE(q.Spare(at - seconds(1)));
  for (int i = 0; i < 75; ++i) ASSERT_TRUE(q.Record(midnight + hours(7) + minutes(i), "lookup"));
  EXPECT_EQ(q.PaceOpening(midnight + hours(9)), midnight + hours(24));  // full: tomorrow
  QuotaGovernor rate_only(Windows({"4/1m"}), nullptr);
  EXPECT_EQ(rate_only.PaceOpening(midnight), midnight);
}

}  // namespace
}  // namespace honeyvt::pipeline
