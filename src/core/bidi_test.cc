#include "core/bidi.h"

#include <gtest/gtest.h>

namespace honeyvt {
namespace {

// The twelve controls, UTF-8 encoded, with the escape each must become.
struct Control {
  const char* utf8;
  const char* escaped;
};
constexpr Control kControls[] = {
    {"\xD8\x9C", "\\u061c"},     {"\xE2\x80\x8E", "\\u200e"}, {"\xE2\x80\x8F", "\\u200f"},
    {"\xE2\x80\xAA", "\\u202a"}, {"\xE2\x80\xAB", "\\u202b"}, {"\xE2\x80\xAC", "\\u202c"},
    {"\xE2\x80\xAD", "\\u202d"}, {"\xE2\x80\xAE", "\\u202e"}, {"\xE2\x81\xA6", "\\u2066"},
    {"\xE2\x81\xA7", "\\u2067"}, {"\xE2\x81\xA8", "\\u2068"}, {"\xE2\x81\xA9", "\\u2069"},
};

TEST(BidiTest, EveryControlIsEscapedPythonStyle) {
  for (const Control& c : kControls) {
    EXPECT_EQ(EscapeBidi(std::string("evil") + c.utf8 + "txt.exe"),
              std::string("evil") + c.escaped + "txt.exe");
  }
  EXPECT_EQ(EscapeBidi("\xE2\x80\xAE\xE2\x80\xAE"), "\\u202e\\u202e");
}

TEST(BidiTest, NeighboursAndOtherTextAreUntouched) {
  // U+200D (ZWJ), U+2029, U+2065, U+206A, U+061B, U+202F: not bidi controls.
  for (const char* keep :
       {"\xE2\x80\x8D", "\xE2\x80\xA9", "\xE2\x81\xA5", "\xE2\x81\xAA", "\xD8\x9B", "\xE2\x80\xAF",
        "b\u00fccher", "\\u202e", "", "\xE2\x80", "\xE2", "\xD8"}) {
    EXPECT_EQ(EscapeBidi(keep), keep);
  }
  for (char32_t cp : {0x061Bu, 0x200Du, 0x2029u, 0x202Fu, 0x2065u, 0x206Au}) {
    EXPECT_FALSE(IsBidiControl(cp));
  }
  EXPECT_TRUE(IsBidiControl(0x202E));
}

TEST(BidiTest, LogTextEscapesControlsToo) {
  EXPECT_EQ(EscapeForLog("a\nfake line \x1b[2J evil\xE2\x80\xAEtxt"),
            "a\\x0afake line \\x1b[2J evil\\u202etxt");
  EXPECT_EQ(EscapeForLog("b\u00fccher"), "b\u00fccher");
}

}  // namespace
}  // namespace honeyvt
