#include "tree/python_repr.h"

#include <gtest/gtest.h>

#include "tree/value.h"

namespace honeyvt::tree {
namespace {

TEST(PyFloatReprTest, ShortestRoundTripWithOneDecimal) {
  EXPECT_EQ(PyFloatRepr(11.0), "11.0");
  EXPECT_EQ(PyFloatRepr(0.25), "0.25");
  EXPECT_EQ(PyFloatRepr(1286470647.25), "1286470647.25");
  EXPECT_EQ(PyFloatRepr(0.1), "0.1");
  EXPECT_EQ(PyFloatRepr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(PyFloatRepr(-0.0), "-0.0");
  EXPECT_EQ(PyFloatRepr(-2.5), "-2.5");
  EXPECT_EQ(PyFloatRepr(123456789012345.0), "123456789012345.0");
}

TEST(PyFloatReprTest, ExponentBelowOneTenThousandthAndFrom1e16) {
  EXPECT_EQ(PyFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(PyFloatRepr(0.00001), "1e-05");
  EXPECT_EQ(PyFloatRepr(1.5e-7), "1.5e-07");
  EXPECT_EQ(PyFloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(PyFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PyFloatRepr(1.25e300), "1.25e+300");
  EXPECT_EQ(PyFloatRepr(5e-324), "5e-324");
}

TEST(PyFloatReprTest, NonFinite) {
  EXPECT_EQ(PyFloatRepr(1.0 / 0.0), "inf");
  EXPECT_EQ(PyFloatRepr(-1.0 / 0.0), "-inf");
  EXPECT_EQ(PyFloatRepr(0.0 / 0.0), "nan");
}

TEST(PyStrReprTest, QuoteChoice) {
  EXPECT_EQ(PyStrRepr("urlmon"), "'urlmon'");
  EXPECT_EQ(PyStrRepr("it's"), "\"it's\"");
  EXPECT_EQ(PyStrRepr("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(PyStrRepr("both ' and \""), "'both \\' and \"'");
  EXPECT_EQ(PyStrRepr(""), "''");
}

TEST(PyStrReprTest, Escapes) {
  EXPECT_EQ(PyStrRepr("a\\b"), "'a\\\\b'");
  EXPECT_EQ(PyStrRepr("l1\nl2\r\t"), "'l1\\nl2\\r\\t'");
  EXPECT_EQ(PyStrRepr(std::string("\x1b[31m\x7f", 6)), "'\\x1b[31m\\x7f'");
  EXPECT_EQ(PyStrRepr("\xc2\x9b"), "'\\x9b'");                // C1 control
  EXPECT_EQ(PyStrRepr("\xc2\xa0"), "'\\xa0'");                // NBSP is not printable
  EXPECT_EQ(PyStrRepr("\xe2\x80\xa8"), "'\\u2028'");          // line separator
  EXPECT_EQ(PyStrRepr("\xf3\xa0\x80\x81"), "'\\U000e0001'");  // tag character
}

TEST(PyStrReprTest, PrintableNonAsciiKept) {
  EXPECT_EQ(PyStrRepr("Grüße €"), "'Grüße €'");
  EXPECT_EQ(PyStrRepr("日本"), "'日本'");
}

TEST(PyBytesReprTest, MatchesPython) {
  EXPECT_EQ(PyBytesRepr("select @@version"), "b'select @@version'");
  EXPECT_EQ(PyBytesRepr("it's"), "b\"it's\"");
  EXPECT_EQ(PyBytesRepr(std::string("\x00\x1b\xff\\\t\n\r", 7)), "b'\\x00\\x1b\\xff\\\\\\t\\n\\r'");
  EXPECT_EQ(PyBytesRepr("'\""), "b'\\'\"'");
  EXPECT_EQ(PyBytesRepr("\xc3\xa9"), "b'\\xc3\\xa9'");
}

TEST(PyStrTest, ValuesAsPythonStr) {
  EXPECT_EQ(PyStr(Value{}), "None");
  EXPECT_EQ(PyStr(Value::Int(-1)), "-1");
  Value real;
  real.type = store::ColumnType::kFloat;
  real.real = 8000.0;
  EXPECT_EQ(PyStr(real), "8000.0");
  EXPECT_EQ(PyStr(Value::Text("it's raw")), "it's raw");
  Value blob;
  blob.type = store::ColumnType::kBlob;
  blob.bytes = "ab";
  EXPECT_EQ(PyStr(blob), "b'ab'");
}

}  // namespace
}  // namespace honeyvt::tree
