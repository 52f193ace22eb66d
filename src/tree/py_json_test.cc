#include "tree/py_json.h"

#include <gtest/gtest.h>

namespace honeyvt::tree {
namespace {

std::string Repr(std::string_view json) {
  auto r = JsonToPythonRepr(json);
  return r ? *r : "<invalid>";
}

TEST(PyJsonTest, ProfileLikeDionaea) {
  EXPECT_EQ(Repr(R"([{"call": "LoadLibraryA", "args": ["urlmon"], "return": "0x7df20000"}])"),
            "[{'call': 'LoadLibraryA', 'args': ['urlmon'], 'return': '0x7df20000'}]");
}

TEST(PyJsonTest, Scalars) {
  EXPECT_EQ(Repr("[true, false, null, 1, -0, 2.0, 1e2, 1E-5, 12345678901234567890123]"),
            "[True, False, None, 1, 0, 2.0, 100.0, 1e-05, 12345678901234567890123]");
  EXPECT_EQ(Repr("[NaN, Infinity, -Infinity, 1e400, -1e400]"), "[nan, inf, -inf, inf, -inf]");
  EXPECT_EQ(Repr(" {} "), "{}");
  EXPECT_EQ(Repr("[[], [[]]]"), "[[], [[]]]");
}

TEST(PyJsonTest, StringsUsePythonRepr) {
  EXPECT_EQ(Repr(R"(["it's", "a\"b", "\u00e9\n", "\ud83d\ude00", "\ud800", "\u001b"])"),
            "[\"it's\", 'a\"b', 'é\\n', '😀', '\\ud800', '\\x1b']");
}

TEST(PyJsonTest, RepeatedKeyKeepsFirstPositionLastValue) {
  EXPECT_EQ(Repr(R"({"a": 1, "b": 2, "a": 3})"), "{'a': 3, 'b': 2}");
}

TEST(PyJsonTest, InvalidInputIsRejected) {
  for (const char* bad : {"", "[", "[1,]", "{\"a\" 1}", "[01]", "\"raw\ttab\"", "tru", "[1] x",
                          "{1: 2}", "\"\\x41\"", "\"\xff\""}) {
    EXPECT_FALSE(JsonToPythonRepr(bad).has_value()) << bad;
  }
}

TEST(PyJsonTest, DeepNestingDoesNotRecurse) {
  std::string json(kMaxJsonDepth, '[');
  json.append(kMaxJsonDepth, ']');
  auto r = JsonToPythonRepr(json);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, json);
  // Deeper than the limit: rejected (printed raw by the caller), never a stack overflow.
  const std::size_t huge = 1000000;
  std::string deep(huge, '[');
  deep.append(huge, ']');
  EXPECT_FALSE(JsonToPythonRepr(deep).has_value());
}

}  // namespace
}  // namespace honeyvt::tree
