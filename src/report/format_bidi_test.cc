// Unicode bidirectional controls in every kind of field the reports print (detection
// names, vendors, family labels, vulnerabilities, titles): tables and CSV write each as
// \u202e, JSON as the JSON escape of the same string; no raw control reaches the output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/bidi.h"
#include "core/testing.h"
#include "report/format.h"
#include "report/report_test_util.h"
#include "report/reports.h"
#include "store/sqlite.h"

namespace honeyvt::report {
namespace {

constexpr char32_t kControls[] = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C,
                                  0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069};
constexpr const char* kRimecud = "3eab379ddac7d80d3e38399fd273ddd4";

bool HasRawBidi(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (BidiControlAt(text, i) > 0) return true;
  }
  return false;
}

std::string RenderTo(const Document& doc, Format f) {
  std::ostringstream out;
  Render(doc, f, out);
  return out.str();
}

class ReportBidiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::BuildFullFixture(path_);
    std::string cps = "WITH c(i, cp) AS (VALUES ";
    for (std::size_t i = 0; i < std::size(kControls); ++i) {
      cps += (i ? ",(" : "(") + std::to_string(i) + "," +
             std::to_string(static_cast<std::uint32_t>(kControls[i])) + ")";
    }
    cps += ") ";
    const std::string pick = "(SELECT cp FROM c WHERE i = (%s) %% 12)";
    auto with = [&](const std::string& key) {
      std::string p = pick;
      p.replace(p.find("%s"), 2, key);
      p.replace(p.find("%%"), 2, "%");
      return "char(" + p + ")";
    };
    testing::ExecSql(
        path_, cps +
                   "UPDATE virustotalscans SET virustotalscan_result = virustotalscan_result || " +
                   with("virustotalscan") +
                   " || 'x', virustotalscan_scanner = virustotalscan_scanner || " +
                   with("virustotalscan + 5") + ";" + cps +
                   "UPDATE dcerpcserviceops SET dcerpcserviceop_vuln = dcerpcserviceop_vuln || " +
                   with("dcerpcserviceop") + " WHERE dcerpcserviceop_vuln <> '';" + cps +
                   "UPDATE virustotals SET virustotal_permalink = virustotal_permalink || " +
                   with("virustotal + 7") + ";");
  }

  Source Open() {
    auto source = Source::Open(path_, {});
    if (!source) ADD_FAILURE() << source.error().ToString();
    return std::move(source).value();
  }

  std::string AvastAsStored() {
    auto db = store::Database::Open(path_, {.mode = store::OpenMode::kReadOnly});
    auto st = db->Prepare(
        "SELECT virustotalscan_scanner FROM virustotalscans WHERE virustotalscan_scanner LIKE "
        "'Avast%' ORDER BY virustotalscan DESC LIMIT 1");
    EXPECT_TRUE(st);
    EXPECT_TRUE(*st->Step());
    return st->Text(0);
  }

  honeyvt::testing::TempDir dir_;
  std::filesystem::path path_ = dir_ / "full.sqlite";
};

TEST_F(ReportBidiTest, NoReportFormatPrintsARawControl) {
  Source source = Open();
  std::vector<std::pair<std::string, Document>> docs;
  auto add = [&](const std::string& name, Result<Document> doc) {
    ASSERT_TRUE(doc) << name << ": " << doc.error().ToString();
    docs.emplace_back(name, std::move(*doc));
  };
  add("aliases", Aliases(source, {"rimecud", false}));
  add("signatures", Signatures(source, {"rimecud", false}));
  const std::string avast = AvastAsStored();
  ASSERT_TRUE(HasRawBidi(avast));
  add("undetected", Undetected(source, {avast, false, false}));
  add("summary", Summary(source));
  add("families", Families(source));
  add("history", History(source, kRimecud));
  std::string tables;
  for (const auto& [name, doc] : docs) {
    const std::string table = RenderTo(doc, Format::kTable);
    const std::string csv = RenderTo(doc, Format::kCsv);
    const std::string json = RenderTo(doc, Format::kJson);
    EXPECT_FALSE(HasRawBidi(table)) << name << "\n" << table;
    EXPECT_FALSE(HasRawBidi(csv)) << name << "\n" << csv;
    EXPECT_FALSE(HasRawBidi(json)) << name << "\n" << json;
    if (name != "summary" && name != "families") {  // those print counts and labels
      EXPECT_NE(table.find("\\u"), std::string::npos) << name << "\n" << table;
    }
    // JSON decodes back to the stored strings.
    EXPECT_EQ(nlohmann::json::parse(json).dump().find("\\u"), std::string::npos) << name;
    tables += table;
  }
  // The fixture's rows spread the twelve controls over names, vendors, vulnerabilities
  // and permalinks (ReportTerminalSafeTest puts each one in a title and a cell).
  int distinct = 0;
  for (char32_t cp : kControls) {
    std::string escaped;
    AppendUnicodeEscape(escaped, cp);
    distinct += tables.find(escaped) != std::string::npos ? 1 : 0;
  }
  EXPECT_GE(distinct, 8);
  // The vendor in undetected's title, the vulnerabilities in its cells.
  const std::string undetected = RenderTo(docs[2].second, Format::kTable);
  EXPECT_NE(undetected.find("Samples not detected by 'Avast\\u"), std::string::npos) << undetected;
  EXPECT_NE(undetected.find("MS0"), std::string::npos);
}

TEST(ReportTerminalSafeTest, EachControlAndC1AreEscaped) {
  for (char32_t cp : kControls) {
    std::string utf8;
    if (cp < 0x800) {
      utf8 += static_cast<char>(0xC0 | (cp >> 6));
      utf8 += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      utf8 += static_cast<char>(0xE0 | (cp >> 12));
      utf8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      utf8 += static_cast<char>(0x80 | (cp & 0x3F));
    }
    std::string escaped;
    AppendUnicodeEscape(escaped, cp);
    EXPECT_EQ(TerminalSafe("evil" + utf8 + "txt.exe"), "evil" + escaped + "txt.exe");
    Document doc;
    doc.tables.push_back({"t", "title " + utf8, {"name"}, {{std::string("n" + utf8)}}});
    for (Format f : {Format::kTable, Format::kCsv, Format::kJson}) {
      const std::string out = RenderTo(doc, f);
      EXPECT_FALSE(HasRawBidi(out)) << out;
      EXPECT_NE(out.find("n" + escaped), std::string::npos) << out;
    }
  }
  EXPECT_EQ(TerminalSafe("a\xC2\x9B"
                         "31mred"),
            "a\\xC2\\x9B31mred");
  EXPECT_EQ(TerminalSafe("b\u00fccher"), "b\u00fccher");
}

}  // namespace
}  // namespace honeyvt::report
