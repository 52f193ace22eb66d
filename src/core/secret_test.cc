#include "core/secret.h"

#include <gtest/gtest.h>

namespace honeyvt {
namespace {

TEST(SecretTest, RedactRemovesEveryOccurrence) {
  Secret key("abc123");
  EXPECT_EQ(Redact("Wrong API key: abc123 (abc123)", key),
            "Wrong API key: <redacted> (<redacted>)");
  EXPECT_EQ(Redact("nothing here", key), "nothing here");
  EXPECT_EQ(Redact("x", Secret()), "x");
}

}  // namespace
}  // namespace honeyvt
