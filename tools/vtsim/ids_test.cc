#include "tools/vtsim/ids.h"

#include <gtest/gtest.h>

namespace honeyvt::vtsim {
namespace {

TEST(IdsTest, AnalysisIdMatchesRecordedFixture) {
  EXPECT_EQ(MakeAnalysisId("68b329da9893e34099c7d8ad5cb9c940", 1599055356),
            "NjhiMzI5ZGE5ODkzZTM0MDk5YzdkOGFkNWNiOWM5NDA6MTU5OTA1NTM1Ng==");
  auto parts = ParseAnalysisId("NTljZjYwNWY3ZDYyMmRkZDBkNGM3Y2M1Y2JjODhiODU6MTcxNTEzNzQ1MA==");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->md5, "59cf605f7d622ddd0d4c7cc5cbc88b85");
  EXPECT_EQ(parts->unix_seconds, 1715137450);
}

TEST(IdsTest, Base64RoundTripsAllPaddings) {
  for (const std::string& s : {std::string("a"), std::string("ab"), std::string("abc"),
                               std::string("abcd"), std::string("\0\xff\x10", 3)}) {
    auto back = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(back) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
}

TEST(IdsTest, HostileAnalysisIdsAreRejected) {
  EXPECT_FALSE(ParseAnalysisId(""));
  EXPECT_FALSE(ParseAnalysisId("not base64!"));
  EXPECT_FALSE(ParseAnalysisId("YWI="));                     // "ab"
  EXPECT_FALSE(ParseAnalysisId("YW=I"));                     // padding in the middle
  EXPECT_FALSE(ParseAnalysisId(Base64Encode(std::string(32, 'z') + ":1")));
  EXPECT_FALSE(ParseAnalysisId(Base64Encode(std::string(32, 'a') + ":12x")));
}

TEST(IdsTest, ScanIdAndDatesUseUtc) {
  EXPECT_EQ(MakeScanId("abc", 1418032127), "abc-1418032127");
  EXPECT_EQ(FormatScanDate(1418032127), "2014-12-08 09:48:47");
  EXPECT_EQ(FormatYmd(1418032127), "20141208");
}

TEST(IdsTest, KeyLabelHidesTheKey) {
  const std::string label = KeyLabel("testkey");
  EXPECT_EQ(label.rfind("k:", 0), 0u);
  EXPECT_EQ(label.size(), 10u);
  EXPECT_EQ(label.find("testkey"), std::string::npos);
  EXPECT_NE(label, KeyLabel("otherkey"));
}

}  // namespace
}  // namespace honeyvt::vtsim
