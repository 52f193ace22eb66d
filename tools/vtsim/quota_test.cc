#include "tools/vtsim/quota.h"

#include <gtest/gtest.h>

namespace honeyvt::vtsim {
namespace {

using std::chrono::seconds;

TimePoint At(std::int64_t unix_seconds) { return FromUnixSeconds(unix_seconds); }

TEST(QuotaParseTest, AcceptsVirusTotalStyleSpecs) {
  auto w = ParseQuota("4/1m, 500/1d,15500/1mo");
  ASSERT_TRUE(w);
  ASSERT_EQ(w->size(), 3u);
  EXPECT_EQ((*w)[0].kind, QuotaWindow::Kind::kSliding);
  EXPECT_EQ((*w)[0].length, std::chrono::minutes(1));
  EXPECT_EQ((*w)[1].kind, QuotaWindow::Kind::kUtcDay);
  EXPECT_EQ((*w)[2].kind, QuotaWindow::Kind::kUtcMonth);
  EXPECT_TRUE(ParseQuota("none")->empty());
  EXPECT_TRUE(ParseQuota("")->empty());
  EXPECT_EQ((*ParseQuota("10/2s"))[0].length, seconds(2));
}

TEST(QuotaParseTest, RejectsNonsense) {
  for (auto bad : {"4", "x/1m", "4/0m", "4/1y", "0/1d", "-1/1m", "4/m1", "4/1min", "10/200000d"}) {
    auto w = ParseQuota(bad);
    ASSERT_FALSE(w) << bad;
    EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument);
    // The one parser of core/quota_window.h: the same message as honeyvt's configuration.
    EXPECT_NE(w.error().message.find("<requests>/<n><unit>"), std::string::npos) << bad;
  }
}

// vtsim used to treat "2d" as a sliding 48 hours and refuse "2mo", while honeyvt's
// governor counts calendar periods: a client that kept its quota could be refused here.
TEST(QuotaParseTest, MultiDayAndMonthWindowsAreTheGovernorsCalendarPeriods) {
  auto w = ParseQuota("4/m, 3/2d, 5/2mo");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ((*w)[0].length, std::chrono::minutes(1));
  EXPECT_EQ((*w)[1].kind, QuotaWindow::Kind::kUtcDay);
  EXPECT_EQ((*w)[1].periods, 2);
  EXPECT_EQ((*w)[2].kind, QuotaWindow::Kind::kUtcMonth);
  EXPECT_EQ((*w)[2].periods, 2);
  QuotaLedger q(*ParseQuota("3/2d"));
  // 2026-01-01 is day 20454 since the epoch: an even day, so a 2-day period starts there.
  const std::int64_t jan1 = 1767225600;
  EXPECT_TRUE(q.Charge("k", 3, At(jan1 - 10)).allowed);  // the period of Dec 30-31
  EXPECT_TRUE(q.Charge("k", 3, At(jan1)).allowed);       // a new period, not 48 h later
  EXPECT_FALSE(q.Charge("k", 1, At(jan1 + 86400 + 5)).allowed);
  EXPECT_TRUE(q.Charge("k", 1, At(jan1 + std::int64_t{2} * 86400)).allowed);
}

TEST(QuotaLedgerTest, SlidingMinuteWindow) {
  QuotaLedger q(*ParseQuota("4/1m"));
  const std::int64_t t0 = 1767225600;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(q.Charge("k", 1, At(t0 + std::int64_t{10} * i)).allowed);
  auto refused = q.Charge("k", 1, At(t0 + 45));
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.exceeded, "4/1m");
  EXPECT_TRUE(q.Charge("other", 1, At(t0 + 45)).allowed);  // per key
  EXPECT_FALSE(q.Charge("k", 1, At(t0 + 59)).allowed);     // refused calls cost nothing...
  EXPECT_TRUE(q.Charge("k", 1, At(t0 + 60)).allowed);      // ...the first one slid out
  EXPECT_EQ(q.Used("k", At(t0 + 60))[0], 4);
}

TEST(QuotaLedgerTest, DayResetsAtUtcMidnightNotAfter24Hours) {
  QuotaLedger q(*ParseQuota("2/1d"));
  const std::int64_t midnight = 1767225600;  // 2026-01-01T00:00:00Z
  EXPECT_TRUE(q.Charge("k", 2, At(midnight - 10)).allowed);
  EXPECT_FALSE(q.Charge("k", 1, At(midnight - 1)).allowed);
  EXPECT_TRUE(q.Charge("k", 1, At(midnight)).allowed);
}

TEST(QuotaLedgerTest, MonthResetsOnTheFirst) {
  QuotaLedger q(*ParseQuota("3/1mo"));
  const std::int64_t feb1 = 1769904000;  // 2026-02-01T00:00:00Z
  EXPECT_TRUE(q.Charge("k", 3, At(feb1 - std::int64_t{86400} * 20)).allowed);
  EXPECT_FALSE(q.Charge("k", 1, At(feb1 - 1)).allowed);
  EXPECT_TRUE(q.Charge("k", 3, At(feb1)).allowed);
}

TEST(QuotaLedgerTest, BatchCostMustFitWhole) {
  QuotaLedger q(*ParseQuota("4/1m,5/1d"));
  EXPECT_TRUE(q.Charge("k", 3, At(100)).allowed);
  EXPECT_FALSE(q.Charge("k", 2, At(101)).allowed);
  EXPECT_TRUE(q.Charge("k", 1, At(101)).allowed);
  auto day = q.Charge("k", 4, At(200));
  EXPECT_FALSE(day.allowed);
  EXPECT_EQ(day.exceeded, "5/1d");
}

}  // namespace
}  // namespace honeyvt::vtsim
