#include "core/quota_window.h"

#include <gtest/gtest.h>

namespace honeyvt {
namespace {

using Unit = QuotaWindowSpec::Unit;

QuotaWindowSpec Ok(std::string_view text) {
  auto w = ParseQuotaWindow(text);
  EXPECT_TRUE(w) << text << ": " << (w ? "" : w.error().message);
  return w ? *w : QuotaWindowSpec{};
}

std::string Why(std::string_view text) {
  auto w = ParseQuotaWindow(text);
  EXPECT_FALSE(w) << text;
  if (w) return "";
  EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument);
  // Every message names the window and the accepted form.
  EXPECT_NE(w.error().message.find("<requests>/<n><unit>"), std::string::npos);
  return w.error().message;
}

TEST(QuotaWindowTest, PublicApiWindows) {
  const QuotaWindowSpec m = Ok("4/1m");
  EXPECT_EQ(m.limit, 4);
  EXPECT_EQ(m.unit, Unit::kMinute);
  EXPECT_FALSE(m.calendar());
  EXPECT_EQ(m.length(), std::chrono::seconds(60));
  const QuotaWindowSpec d = Ok("500/1d");
  EXPECT_TRUE(d.calendar());
  EXPECT_EQ(d.count, 1);
  EXPECT_EQ(d.length(), std::chrono::seconds(0));
  EXPECT_EQ(Ok("15500/1mo").unit, Unit::kMonth);
  EXPECT_EQ(Ok("10/2s").length(), std::chrono::seconds(2));
  EXPECT_EQ(Ok("7/3h").length(), std::chrono::hours(3));
}

// Config refused "4/m" while the pipeline ran it; both now accept it as 4/1m.
TEST(QuotaWindowTest, MissingLengthMeansOne) {
  const QuotaWindowSpec w = Ok("4/m");
  EXPECT_EQ(w.count, 1);
  EXPECT_EQ(w.length(), std::chrono::seconds(60));
  EXPECT_EQ(Ok("500/d").unit, Unit::kDay);
}

// Config accepted "10/200000d" and `run` refused it; now both refuse it.
TEST(QuotaWindowTest, WindowsLongerThanACenturyAreRefused) {
  EXPECT_NE(Why("10/200000d").find("at most 100 years"), std::string::npos);
  EXPECT_NE(Why("10/1201mo").find("at most 100 years"), std::string::npos);
  Ok("10/1200mo");
  Ok("10/36524d");
  EXPECT_NE(Why("10/99999999999999999999s").find("at most 100 years"), std::string::npos);
}

TEST(QuotaWindowTest, ZeroAndNegativeCountsAreRefused) {
  EXPECT_NE(Why("0/1d").find("from 1 to"), std::string::npos);
  EXPECT_NE(Why("-1/1m").find("whole number"), std::string::npos);
  EXPECT_NE(Why("4/0m").find("at least 1"), std::string::npos);
  EXPECT_NE(Why("+4/1m").find("whole number"), std::string::npos);
}

TEST(QuotaWindowTest, OverflowIsRefusedNotWrapped) {
  EXPECT_NE(Why("99999999999999999999/1m").find("from 1 to"), std::string::npos);
  EXPECT_NE(Why("1000000000001/1m").find("from 1 to"), std::string::npos);
  EXPECT_EQ(Ok("1000000000000/1m").limit, kMaxQuotaRequests);
}

TEST(QuotaWindowTest, SpacesOnlyAroundTheItemAndTheSlash) {
  EXPECT_EQ(Ok("  4 / 1m ").text, "4 / 1m");
  EXPECT_EQ(Ok("\t500/1d\n").limit, 500);
  EXPECT_NE(Why("4/1 m").find("unknown unit ' m'"), std::string::npos);
  EXPECT_NE(Why("4 0/1m").find("whole number"), std::string::npos);
}

TEST(QuotaWindowTest, UnitsAreExactAndLowerCase) {
  for (const char* bad : {"4/1y", "4/1M", "4/1MO", "4/1min", "4/1ms", "4/1w", "4/1mon"}) {
    EXPECT_NE(Why(bad).find("unknown unit"), std::string::npos) << bad;
  }
  EXPECT_NE(Why("4/1").find("no unit"), std::string::npos);
  EXPECT_NE(Why("4/").find("no unit"), std::string::npos);
}

TEST(QuotaWindowTest, ShapeErrors) {
  EXPECT_NE(Why("").find("empty"), std::string::npos);
  EXPECT_NE(Why("4").find("no '/'"), std::string::npos);
  EXPECT_NE(Why("4/1m/2").find("more than one"), std::string::npos);
  EXPECT_NE(Why("x/1m").find("whole number"), std::string::npos);
  EXPECT_NE(Why("/1m").find("whole number"), std::string::npos);
}

TEST(QuotaWindowTest, ListsStopAtTheFirstBadWindow) {
  auto list = ParseQuotaList("4/1m, 500/1d,15500/1mo");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[2].unit, Unit::kMonth);
  EXPECT_TRUE(ParseQuotaList("  ")->empty());
  auto bad = ParseQuotaList("4/1m,lots");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'lots'"), std::string::npos);
}

}  // namespace
}  // namespace honeyvt
