#include "tree/escape.h"

#include <gtest/gtest.h>

namespace honeyvt::tree {
namespace {

std::string Safe(std::string_view s) {
  std::string out;
  AppendTerminalSafe(out, s);
  return out;
}

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(TerminalSafeTest, PrintableTextUnchanged) {
  for (const char* s : {"plain ascii !~", "back\\slash", "Grüße € 日本 😀", "'quotes' \"x\""}) {
    EXPECT_EQ(Safe(s), s);
    EXPECT_FALSE(NeedsTerminalEscape("plain"));
  }
}

TEST(TerminalSafeTest, EscapeSequencesAreNeutralised) {
  EXPECT_EQ(Safe("\x1b]0;pwned\x07user"), "\\x1b]0;pwned\\x07user");
  EXPECT_EQ(Safe("\x1b[2J\x1b[31mred"), "\\x1b[2J\\x1b[31mred");
  EXPECT_EQ(Safe("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");
  EXPECT_EQ(Safe(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(Safe("del\x7f"), "del\\x7f");
  EXPECT_EQ(Safe("csi\xc2\x9b"
                 "31m"),
            "csi\\xc2\\x9b31m");  // C1 CSI in UTF-8
}

TEST(TerminalSafeTest, InvalidUtf8BytesEscaped) {
  EXPECT_EQ(Safe("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(Safe("\xc3"), "\\xc3");                    // truncated
  EXPECT_EQ(Safe("\xc0\xaf"), "\\xc0\\xaf");           // overlong
  EXPECT_EQ(Safe("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(Safe("ok\x9b"), "ok\\x9b");                // lone C1 byte
}

TEST(JsonStringTest, AlwaysValidJson) {
  EXPECT_EQ(Json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Json("\x1b[31m\n"), "\"\\u001b[31m\\n\"");
  EXPECT_EQ(Json("\xff"), "\"\\\\xff\"");
  EXPECT_EQ(Json("é"), "\"é\"");
}

}  // namespace
}  // namespace honeyvt::tree
