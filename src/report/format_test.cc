#include "report/format.h"

#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace honeyvt::report {
namespace {

Document OneTable() {
  Document doc;
  Table& t = doc.tables.emplace_back();
  t.name = "aliases";
  t.title = "Names";
  t.columns = {"name", "samples"};
  t.rows = {{std::string("Worm.Win32.Rimecud"), std::int64_t{12}},
            {std::string("a,\"b\"\nc"), std::int64_t{3}},
            {Cell{}, std::int64_t{100}}};
  return doc;
}

std::string RenderTo(const Document& doc, Format f) {
  std::ostringstream out;
  Render(doc, f, out);
  return out.str();
}

TEST(FormatTest, ParsesFormatNames) {
  EXPECT_EQ(*ParseFormat("csv"), Format::kCsv);
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_EQ(*ParseFormat("table"), Format::kTable);
  EXPECT_FALSE(ParseFormat("xml"));
}

TEST(FormatTest, CsvQuotesOnlyWhenNeededAndDoublesQuotes) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(FormatTest, CsvNeutralisesFormulaStarts) {
  EXPECT_EQ(CsvNeutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
  EXPECT_EQ(CsvNeutralise("+1"), "'+1");
  EXPECT_EQ(CsvNeutralise("-2+3"), "'-2+3");
  EXPECT_EQ(CsvNeutralise("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvNeutralise("\tx"), "'\tx");
  EXPECT_EQ(CsvNeutralise("\rx"), "'\rx");
  EXPECT_EQ(CsvNeutralise("Trojan=x"), "Trojan=x");
  EXPECT_EQ(CsvNeutralise(""), "");
  Document doc;
  doc.tables.push_back({"t",
                        "T",
                        {"name", "n"},
                        {{std::string("=cmd|' /C calc'!A0"), std::int64_t{-3}},
                         {std::string("\r=1"), std::int64_t{1}}}});
  // Text is neutralised then quoted as usual; numbers stay numbers.
  EXPECT_EQ(RenderTo(doc, Format::kCsv), "name,n\r\n'=cmd|' /C calc'!A0,-3\r\n\"'\r=1\",1\r\n");
}

TEST(FormatTest, CsvHasHeaderAndCrlfRows) {
  EXPECT_EQ(RenderTo(OneTable(), Format::kCsv),
            "name,samples\r\nWorm.Win32.Rimecud,12\r\n\"a,\"\"b\"\"\nc\",3\r\n,100\r\n");
}

TEST(FormatTest, CsvOfSectionsWithSameColumnsGetsSectionColumn) {
  Document doc;
  doc.tables.push_back(
      {"totals", "T", {"item", "count"}, {{std::string("samples"), std::int64_t{5}}}});
  doc.tables.push_back(
      {"per_day", "D", {"item", "count"}, {{std::string("2010-10-07"), std::int64_t{2}}}});
  EXPECT_EQ(RenderTo(doc, Format::kCsv),
            "section,item,count\r\ntotals,samples,5\r\nper_day,2010-10-07,2\r\n");
}

TEST(FormatTest, JsonKeepsTypesAndIsValid) {
  auto j = nlohmann::json::parse(RenderTo(OneTable(), Format::kJson));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["name"], "Worm.Win32.Rimecud");
  EXPECT_EQ(j[0]["samples"], 12);
  EXPECT_EQ(j[1]["name"], "a,\"b\"\nc");
  EXPECT_TRUE(j[2]["name"].is_null());
}

TEST(FormatTest, JsonReplacesInvalidUtf8InsteadOfThrowing) {
  Document doc = OneTable();
  doc.tables[0].rows[0][0] = std::string("bad\xff\xfe name");
  auto j = nlohmann::json::parse(RenderTo(doc, Format::kJson));
  EXPECT_EQ(j[0]["name"], "bad\xEF\xBF\xBD\xEF\xBF\xBD name");
}

TEST(FormatTest, JsonOfSeveralTablesIsObjectByName) {
  Document doc;
  doc.tables.push_back({"totals", "T", {"item", "count"}, {}});
  doc.tables.push_back({"per_day", "D", {"item", "count"}, {}});
  auto j = nlohmann::json::parse(RenderTo(doc, Format::kJson));
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j["totals"].is_array());
  EXPECT_TRUE(j["per_day"].is_array());
}

TEST(FormatTest, TableAlignsColumnsAndRightAlignsNumbers) {
  Document doc;
  doc.tables.push_back(
      {"t",
       "Title",
       {"name", "n"},
       {{std::string("long-name"), std::int64_t{5}}, {std::string("x"), std::int64_t{1234}}}});
  EXPECT_EQ(RenderTo(doc, Format::kTable),
            "Title\n"
            "name          n\n"
            "---------  ----\n"
            "long-name     5\n"
            "x          1234\n");
}

TEST(FormatTest, TableNeutralisesTerminalEscapes) {
  EXPECT_EQ(TerminalSafe("a\x1b[31mred\n"), "a\\x1B[31mred\\x0A");
  Document doc = OneTable();
  doc.tables[0].rows[0][0] = std::string("\x1b]0;pwned\x07");
  const std::string out = RenderTo(doc, Format::kTable);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(out.find("\\x1B]0;pwned\\x07"), std::string::npos);
}

TEST(FormatTest, EmptyTableSaysNone) {
  Document doc;
  doc.tables.push_back({"t", "", {"a"}, {}});
  EXPECT_EQ(RenderTo(doc, Format::kTable), "a\n-\n(none)\n");
  EXPECT_EQ(RenderTo(doc, Format::kJson), "[]\n");
}

}  // namespace
}  // namespace honeyvt::report
