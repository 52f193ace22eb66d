#include "core/time_spec.h"

#include <gtest/gtest.h>

namespace honeyvt {
namespace {

const TimePoint kNow = FromUnixSeconds(std::int64_t{1700000000});

TEST(TimeSpecTest, EpochSeconds) {
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("1286470647", kNow), 1286470647.0);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("1286470647.25", kNow), 1286470647.25);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("0", kNow), 0.0);
}

TEST(TimeSpecTest, IsoForms) {
  // Tests run with TZ=UTC (set by ctest), so local time equals UTC here.
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("2010-10-07", kNow), 1286409600.0);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("2010-10-07T16:57", kNow), 1286470620.0);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("2010-10-07T16:57:27", kNow), 1286470647.0);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("2010-10-07 16:57:27", kNow), 1286470647.0);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("2010-10-07T16:57:27.5Z", kNow), 1286470647.5);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("2010-10-07T18:57:27+02:00", kNow), 1286470647.0);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("2010-10-07T14:57:27-02:00", kNow), 1286470647.0);
}

TEST(TimeSpecTest, RelativeAges) {
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("90s", kNow), 1700000000.0 - 90);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("30m", kNow), 1700000000.0 - 1800);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("24h", kNow), 1700000000.0 - 86400);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("7d", kNow), 1700000000.0 - 7 * 86400);
  EXPECT_DOUBLE_EQ(*ParseTimeSpec("2w", kNow), 1700000000.0 - 14 * 86400);
}

TEST(TimeSpecTest, RejectsEverythingElseNamingTheValue) {
  for (const char* bad : {"", "$(date +%s)-24*3600", "1286470647-86400", "yesterday", "7x",
                          "2010-13-01", "2010-02-30", "2010-10-07T25:00", "2010-10-07T16:57Zx",
                          "1 OR 1=1", "-5", "h", "2010-10-7", "1e9", "nan", "99999999999999d"}) {
    auto r = ParseTimeSpec(bad, kNow);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(std::string("'") + bad + "'"), std::string::npos);
  }
}

TEST(TimeSpecTest, UtcDateTimeRoundTrip) {
  EXPECT_EQ(*ParseUtcDateTime("2014-12-08 09:48:47"), 1418032127);
  EXPECT_EQ(FormatUtcDateTime(1418032127), "2014-12-08 09:48:47");
  EXPECT_FALSE(ParseUtcDateTime("2014-12-08T09:48:47"));
  EXPECT_FALSE(ParseUtcDateTime("garbage"));
}

}  // namespace
}  // namespace honeyvt
