#include "core/strings.h"

#include <gtest/gtest.h>

namespace honeyvt {
namespace {

TEST(StringsTest, IsHexChecksLengthAndDigits) {
  EXPECT_TRUE(IsHex("3eab379ddac7d80d3e38399fd273ddd4", 32));
  EXPECT_FALSE(IsHex("3eab379ddac7d80d3e38399fd273ddd", 32));
  EXPECT_FALSE(IsHex("../../../../etc/passwd0000000000", 32));
  EXPECT_FALSE(IsHex("3eab379ddac7d80d3e38399fd273ddz4", 32));
}

TEST(StringsTest, ParseIntIsStrict) {
  EXPECT_EQ(*ParseInt("42"), 42);
  EXPECT_EQ(*ParseInt("-7"), -7);
  EXPECT_FALSE(ParseInt("4 2"));
  EXPECT_FALSE(ParseInt("1; DROP TABLE connections"));
  EXPECT_FALSE(ParseInt(""));
  EXPECT_FALSE(ParseInt("99999999999999999999999"));
}

TEST(StringsTest, SplitTrimLowerHex) {
  auto parts = Split("a, b,,c", ',');
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(Trim(parts[1]), "b");
  EXPECT_EQ(parts[2], "");
  EXPECT_EQ(ToLower("ABC"), "abc");
  EXPECT_EQ(HexEncode(std::string("\x00\xff", 2)), "00ff");
}

}  // namespace
}  // namespace honeyvt
