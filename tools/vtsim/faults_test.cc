#include "tools/vtsim/faults.h"

#include <gtest/gtest.h>

namespace honeyvt::vtsim {
namespace {

TEST(FaultPlanTest, SequenceComesFirstInOrder) {
  FaultPlan p;
  ASSERT_TRUE(p.AddSpec("500"));
  ASSERT_TRUE(p.AddSequence("503, ok ,reset,slow=250"));
  EXPECT_EQ(p.Next("/api/v3/files/x").kind, FaultKind::k503);
  EXPECT_EQ(p.Next("/api/v3/files/x").kind, FaultKind::kNone);
  EXPECT_EQ(p.Next("/api/v3/files/x").kind, FaultKind::kReset);
  const FaultAction slow = p.Next("/api/v3/files/x");
  EXPECT_EQ(slow.kind, FaultKind::kSlow);
  EXPECT_EQ(slow.delay, std::chrono::milliseconds(250));
  EXPECT_EQ(p.Next("/api/v3/files/x").kind, FaultKind::k500);  // then the rule
}

TEST(FaultPlanTest, PathPrefixAndDefaults) {
  FaultPlan p;
  ASSERT_TRUE(p.AddSpec("stall/vtapi/v2/"));
  EXPECT_EQ(p.Next("/api/v3/files/x").kind, FaultKind::kNone);
  const FaultAction a = p.Next("/vtapi/v2/file/report");
  EXPECT_EQ(a.kind, FaultKind::kStall);
  EXPECT_EQ(a.delay, std::chrono::milliseconds(30000));
}

TEST(FaultPlanTest, StallBodyIsDrawnOnlyBeforeTheBodyIsRead) {
  FaultPlan p;
  ASSERT_TRUE(p.AddSpec("stall-body=5000/api/v3/"));
  ASSERT_TRUE(p.AddSpec("503"));
  EXPECT_EQ(p.Next("/api/v3/files").kind, FaultKind::k503);  // the body rule is skipped
  const FaultAction a = p.NextBodyFault("/api/v3/files");
  EXPECT_EQ(a.kind, FaultKind::kStallBody);
  EXPECT_EQ(a.delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(p.NextBodyFault("/vtapi/v2/file/scan").kind, FaultKind::kNone);
  EXPECT_EQ(p.ToJson()["rules"][0]["kind"], "stall-body");
  EXPECT_FALSE(p.AddSequence("ok,stall-body"));
}

TEST(FaultPlanTest, FractionIsSeededAndRoughlyRight) {
  auto count = [](std::uint64_t seed) {
    FaultPlan p;
    p.Seed(seed);
    EXPECT_TRUE(p.AddSpec("503@0.25"));
    int n = 0;
    for (int i = 0; i < 2000; ++i) n += p.Next("/api/v3/x").kind == FaultKind::k503;
    return n;
  };
  EXPECT_EQ(count(7), count(7));
  EXPECT_GT(count(7), 400);
  EXPECT_LT(count(7), 600);
}

TEST(FaultPlanTest, NeverCompleteFraction) {
  FaultPlan p;
  EXPECT_FALSE(p.NextAnalysisStalls());
  ASSERT_TRUE(p.AddSpec("never-complete"));
  EXPECT_TRUE(p.NextAnalysisStalls());
}

TEST(FaultPlanTest, BadSpecsAreRejectedWithTheSpecNamed) {
  FaultPlan p;
  for (auto bad : {"teapot", "503@2", "503@x", "slow=-5", "slow=abc"}) {
    auto st = p.AddSpec(bad);
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(p.AddSequence("503,bogus"));
}

TEST(FaultPlanTest, JsonControlReplacesThePlan) {
  FaultPlan p;
  ASSERT_TRUE(p.AddSpec("500"));
  ASSERT_TRUE(p.SetFromJson(nlohmann::json::parse(
      R"({"rules": ["504/api/v3/analyses", {"kind": "slow", "ms": 10, "fraction": 1, "path": "/vtapi/"}],
          "sequence": ["nonjson"], "never_complete": 0, "seed": 3})")));
  EXPECT_EQ(p.Next("/api/v3/files/x").kind, FaultKind::kNonJson);
  EXPECT_EQ(p.Next("/api/v3/files/x").kind, FaultKind::kNone);
  EXPECT_EQ(p.Next("/api/v3/analyses/x").kind, FaultKind::k504);
  EXPECT_EQ(p.Next("/vtapi/v2/file/report").delay, std::chrono::milliseconds(10));
  EXPECT_EQ(p.ToJson()["rules"].size(), 2u);
  for (auto bad :
       {R"([])", R"({"rules": [{"kind": 5}]})", R"({"rules": [{"kind": "503", "path": "x"}]})",
        R"({"never_complete": 3})", R"({"sequence": ["zz"]})"}) {
    EXPECT_FALSE(p.SetFromJson(nlohmann::json::parse(bad))) << bad;
  }
}

}  // namespace
}  // namespace honeyvt::vtsim
