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
  for (auto bad : {"4", "x/1m", "4/0m", "4/1y", "4/2mo", "-1/1m", "4/m1"}) {
    auto w = ParseQuota(bad);
    ASSERT_FALSE(w) << bad;
    EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(QuotaLedgerTest, SlidingMinuteWindow) {
  QuotaLedger q(*ParseQuota("4/1m"));
  const std::int64_t t0 = 1767225600;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(q.Charge("k", 1, At(t0 + i * 10)).allowed);
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
  EXPECT_TRUE(q.Charge("k", 3, At(feb1 - 86400 * 20)).allowed);
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
