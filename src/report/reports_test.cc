// aliases, signatures, families, summary and history on the dionaea fixtures
// (portable_data.sql + full_extra.sql): exact counts worked out by hand from the rows.
#include "report/reports.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "report/report_test_util.h"
#include "store/logsql_testing.h"

namespace honeyvt::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Rows;
using Line = std::vector<std::string>;

constexpr const char* kRimecud = "3eab379ddac7d80d3e38399fd273ddd4";

class ReportsTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::BuildFullFixture(path_); }
  Source Open(Filter filter = {}) {
    auto source = Source::Open(path_, filter);
    if (!source) ADD_FAILURE() << source.error().ToString();
    return std::move(source).value();
  }
  honeyvt::testing::TempDir dir_;
  std::filesystem::path path_ = dir_ / "full.sqlite";
};

TEST_F(ReportsTest, AliasesListsEveryNameOfEveryReportOnce) {
  Source source = Open();
  auto doc = Aliases(source, {"rimecud", false});
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_THAT(
      Rows(*doc),
      ElementsAre(Line{"Worm.Win32.Rimecud", "1", "3"}, Line{"Suspicious file", "1", "1"},
                  Line{"Trojan.DownLoader1.27100", "1", "1"}, Line{"Worm.Rimecud-1", "1", "1"},
                  Line{"Worm:Win32/Rimecud.B", "1", "1"}));
  EXPECT_THAT(doc->tables[0].title, HasSubstr("1 samples"));
}

TEST_F(ReportsTest, AliasesIsCaseInsensitiveSubstringAndHonoursLimit) {
  Source source = Open(testing::MakeFilter(std::nullopt, std::nullopt, 2));
  auto doc = Aliases(source, {"RIMECUD.b", false});
  ASSERT_TRUE(doc);
  EXPECT_EQ(Rows(*doc).size(), 2u);
  EXPECT_EQ(Rows(*doc)[0][0], "Worm.Win32.Rimecud");
}

TEST_F(ReportsTest, AliasesByFamilyLabel) {
  Source source = Open();
  auto doc = Aliases(source, {"Rimecud", true});
  ASSERT_TRUE(doc);
  EXPECT_EQ(Rows(*doc).size(), 5u);
  auto none = Aliases(source, {"conficker", true});
  ASSERT_TRUE(none);
  EXPECT_TRUE(Rows(*none).empty());
}

TEST_F(ReportsTest, DuplicateDownloadsAndRequestsDoNotMultiplyCounts) {
  // The seed's SQL joined tables so that every extra download or request multiplied
  // the counts. Add three more downloads and duplicate DCERPC requests of the sample.
  testing::ExecSql(path_,
                   "INSERT INTO downloads (connection, download_url, download_md5_hash) "
                   "VALUES (1, 'u', '3eab379ddac7d80d3e38399fd273ddd4'), "
                   "(3, 'u', '3eab379ddac7d80d3e38399fd273ddd4'), "
                   "(11, 'u', '3eab379ddac7d80d3e38399fd273ddd4');"
                   "INSERT INTO dcerpcrequests (connection, dcerpcrequest_uuid, "
                   "dcerpcrequest_opnum) SELECT connection, dcerpcrequest_uuid, "
                   "dcerpcrequest_opnum FROM dcerpcrequests;");
  Source source = Open();
  auto aliases = Aliases(source, {"rimecud", false});
  ASSERT_TRUE(aliases);
  EXPECT_EQ(Rows(*aliases)[0], (Line{"Worm.Win32.Rimecud", "1", "3"}));
  auto sig = Signatures(source, {"rimecud", false});
  ASSERT_TRUE(sig);
  EXPECT_EQ(Rows(*sig)[0], (Line{"AVG", "1", "1", "1", "Worm.Win32.Rimecud"}));
  auto undetected = Undetected(source, {"Avast", false, false});
  ASSERT_TRUE(undetected);
  EXPECT_THAT(Rows(*undetected), ElementsAre(Line{kRimecud, "4", "2", "MS03-39, MS08-67"}));
}

TEST_F(ReportsTest, SignaturesCountsDistinctNamesPerVendor) {
  Source source = Open();
  auto doc = Signatures(source, {"rimecud", false});
  ASSERT_TRUE(doc);
  EXPECT_THAT(Rows(*doc), ElementsAre(Line{"AVG", "1", "1", "1", "Worm.Win32.Rimecud"},
                                      Line{"ClamAV", "1", "1", "1", "Worm.Rimecud-1"},
                                      Line{"DrWeb", "1", "1", "1", "Trojan.DownLoader1.27100"},
                                      Line{"Kaspersky", "1", "1", "1", "Worm.Win32.Rimecud"},
                                      Line{"Microsoft", "1", "1", "1", "Worm:Win32/Rimecud.B"},
                                      Line{"Sophos", "1", "1", "1", "Suspicious file"},
                                      Line{"Avast", "0", "0", "1", "NULL"},
                                      Line{"McAfee", "0", "0", "1", "NULL"},
                                      Line{"Symantec", "0", "0", "1", "NULL"}));
}

TEST_F(ReportsTest, HostilePatternsAreLiteralText) {
  testing::ExecSql(path_,
                   "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, "
                   "virustotalscan_result) VALUES (2, 'Odd', 'Adware.50%_off''s\\x');");
  Source source = Open();
  for (const char* pattern : {"%", "_", "'", "%_off's\\", "50%_OFF"}) {
    auto doc = Aliases(source, {pattern, false});
    ASSERT_TRUE(doc) << pattern;
    ASSERT_EQ(Rows(*doc).size(), 6u) << pattern;  // 5 names + the odd one, one sample
  }
  for (const char* pattern :
       {"'; DROP TABLE virustotalscans; --", "%%", "__", "\\\\", "Rimecud_1", "Worm%Rimecud"}) {
    auto doc = Aliases(source, {pattern, false});
    ASSERT_TRUE(doc) << pattern;
    EXPECT_TRUE(Rows(*doc).empty()) << pattern;
  }
  auto still_there = Aliases(source, {"rimecud", false});
  ASSERT_TRUE(still_there);
  EXPECT_EQ(Rows(*still_there).size(), 6u);
}

TEST_F(ReportsTest, FamiliesLabelsTheLatestReport) {
  Source source = Open();
  auto doc = Families(source);
  ASSERT_TRUE(doc);
  // Latest report (2011) has AVG + ClamAV naming Rimecud, Avast NULL.
  EXPECT_THAT(Rows(*doc),
              ElementsAre(Line{kRimecud, "rimecud", "2", "2", "3", "2010-10-07 16:57:27"}));
}

TEST_F(ReportsTest, SummaryCountsSamplesReportsRatiosFamiliesAndDays) {
  Source source = Open();
  auto doc = Summary(source);
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->tables.size(), 5u);
  EXPECT_THAT(Rows(*doc, 0),
              ElementsAre(Line{"samples", "3"}, Line{"downloads", "3"},
                          Line{"samples_with_report", "1"}, Line{"samples_without_verdict", "2"},
                          Line{"reports", "2"}, Line{"samples_without_family", "0"}));
  EXPECT_THAT(Rows(*doc, 1),
              ElementsAre(Line{"0% (no engine)", "0"}, Line{"1-9%", "0"}, Line{"10-24%", "0"},
                          Line{"25-49%", "0"}, Line{"50-74%", "1"}, Line{"75-100%", "0"}));
  EXPECT_THAT(Rows(*doc, 2), ElementsAre(Line{"rimecud", "1"}));
  EXPECT_THAT(Rows(*doc, 3), ElementsAre(Line{"2010-10-07", "3"}));
  EXPECT_THAT(Rows(*doc, 4), ElementsAre(Line{"dionaea downloads", "3"}));
}

TEST_F(ReportsTest, WindowFiltersByTheDownloadsConnectionTime) {
  // Only the httpd download (connection 11, 1286474640) is after 1286474000.
  Source late = Open(testing::MakeFilter(1286474000.0));
  auto summary = Summary(late);
  ASSERT_TRUE(summary);
  EXPECT_EQ(Rows(*summary, 0)[0], (Line{"samples", "1"}));
  EXPECT_EQ(Rows(*summary, 0)[2], (Line{"samples_with_report", "0"}));
  auto aliases = Aliases(late, {"rimecud", false});
  ASSERT_TRUE(aliases);
  EXPECT_TRUE(Rows(*aliases).empty());
  Source early = Open(testing::MakeFilter(1286470000.0, 1286470650.0));
  auto families = Families(early);
  ASSERT_TRUE(families);
  EXPECT_EQ(Rows(*families).size(), 1u);
  auto early_summary = Summary(early);
  ASSERT_TRUE(early_summary);
  EXPECT_EQ(Rows(*early_summary, 0)[0], (Line{"samples", "1"}));
  EXPECT_THAT(Rows(*early_summary, 3), ElementsAre(Line{"2010-10-07", "1"}));
}

TEST_F(ReportsTest, HistoryFallsBackToVirustotalsRows) {
  Source source = Open();
  auto doc = History(source, "3EAB379DDAC7D80D3E38399FD273DDD4");
  ASSERT_TRUE(doc) << doc.error().ToString();
  EXPECT_THAT(Rows(*doc),
              ElementsAre(Line{"2010-10-07 02:59:07", "5", "8", "rimecud",
                               "AVG, DrWeb, Kaspersky, Microsoft, Sophos", "", "virustotals"},
                          Line{"2011-03-13 07:06:40", "2", "3", "rimecud", "ClamAV",
                               "DrWeb, Kaspersky, Microsoft, Sophos", "virustotals"}));
  ASSERT_FALSE(doc->notes.empty());
  EXPECT_THAT(doc->notes[0], HasSubstr("no report history"));
  EXPECT_FALSE(History(source, "not-a-hash"));
  EXPECT_FALSE(History(source, "'; DROP TABLE virustotals; --"));
  auto unknown = History(source, "00000000000000000000000000000000");
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(Rows(*unknown).empty());
}

TEST_F(ReportsTest, HistoryUsesHoneyvtReportsWhenRecorded) {
  {
    auto logsql = store::Logsql::Open(path_, store::OpenMode::kReadWrite);
    ASSERT_TRUE(logsql);
    ASSERT_TRUE(logsql->EnsureHoneyvtTables());
  }
  testing::ExecSql(
      path_,
      "INSERT INTO honeyvt_reports (report, md5, positives, total, analysis_date, fetched_at, "
      "permalink, api_version) VALUES "
      "(1, '3eab379ddac7d80d3e38399fd273ddd4', 1, 60, 1286420347, 1286420400, 'p', 2),"
      "(2, '3eab379ddac7d80d3e38399fd273ddd4', 2, 61, 1400000000, 1400000100, 'p', 3);"
      "INSERT INTO honeyvt_engine_results (report, engine, category, result) VALUES "
      "(1, 'AVG', 'malicious', 'Worm.Win32.Rimecud'), (1, 'Avast', 'undetected', NULL),"
      "(2, 'Avast', 'malicious', 'Win32:Rimecud-A'), (2, 'Kaspersky', 'malicious', "
      "'Worm.Win32.Rimecud.a'), (2, 'AVG', 'undetected', NULL);");
  Source source = Open();
  ASSERT_TRUE(source.has_history());
  auto doc = History(source, kRimecud);
  ASSERT_TRUE(doc);
  EXPECT_THAT(Rows(*doc), ElementsAre(Line{"2010-10-07 02:59:07", "1", "60", "SINGLETON", "AVG", "",
                                           "honeyvt_reports"},
                                      Line{"2014-05-13 16:53:20", "2", "61", "rimecud",
                                           "Avast, Kaspersky", "AVG", "honeyvt_reports"}));
  EXPECT_TRUE(doc->notes.empty());
  // The window filters analysis dates.
  Source late = Open(testing::MakeFilter(1300000000.0));
  auto filtered = History(late, kRimecud);
  ASSERT_TRUE(filtered);
  EXPECT_EQ(Rows(*filtered).size(), 1u);
}

TEST_F(ReportsTest, ReportsNeverWriteTheDatabase) {
  const std::string before = honeyvt::testing::ReadFile(path_);
  {
    Source source = Open();
    ASSERT_TRUE(Summary(source));
    ASSERT_TRUE(Aliases(source, {"rimecud", false}));
    ASSERT_TRUE(Signatures(source, {"rimecud", true}));
    ASSERT_TRUE(Undetected(source, {"Avast", true, true}));
    ASSERT_TRUE(Families(source));
    ASSERT_TRUE(History(source, kRimecud));
  }
  EXPECT_EQ(honeyvt::testing::ReadFile(path_), before);
  EXPECT_FALSE(std::filesystem::exists(path_.string() + "-journal"));
}

TEST(ReportsEdgeTest, MissingAndCorruptDatabasesAreClearErrors) {
  honeyvt::testing::TempDir dir;
  auto missing = Source::Open(dir / "missing.sqlite", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("missing.sqlite"));
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.sqlite"));
  honeyvt::testing::WriteFile(dir / "text.sqlite", std::string(200, 'x'));
  auto corrupt = Source::Open(dir / "text.sqlite", {});
  ASSERT_FALSE(corrupt);
  EXPECT_EQ(corrupt.error().code, ErrorCode::kCorrupt);
}

void ExpectEveryReportRuns(const std::filesystem::path& path) {
  auto source = Source::Open(path, {});
  ASSERT_TRUE(source) << source.error().ToString();
  auto summary = Summary(*source);
  ASSERT_TRUE(summary) << summary.error().ToString();
  auto aliases = Aliases(*source, {"conficker", false});
  ASSERT_TRUE(aliases) << aliases.error().ToString();
  auto by_label = Signatures(*source, {"conficker", true});
  ASSERT_TRUE(by_label) << by_label.error().ToString();
  auto undetected = Undetected(*source, {"Kaspersky", true, true});
  ASSERT_TRUE(undetected) << undetected.error().ToString();
  auto families = Families(*source);
  ASSERT_TRUE(families) << families.error().ToString();
  auto history = History(*source, kRimecud);
  ASSERT_TRUE(history) << history.error().ToString();
}

TEST(ReportsEdgeTest, EmptyDatabaseGivesEmptyReports) {
  honeyvt::testing::TempDir dir;
  ASSERT_TRUE(store::Logsql::Create(dir / "empty.sqlite"));
  ExpectEveryReportRuns(dir / "empty.sqlite");
  auto source = Source::Open(dir / "empty.sqlite", {});
  ASSERT_TRUE(source);
  auto summary = Summary(*source);
  ASSERT_TRUE(summary);
  EXPECT_EQ(Rows(*summary, 0)[0], (Line{"samples", "0"}));
  EXPECT_TRUE(Rows(*summary, 3).empty());
}

TEST(ReportsEdgeTest, Era2010DatabaseWithoutMysqlAndSipTables) {
  honeyvt::testing::TempDir dir;
  store::testing::BuildEraDatabase(dir / "2010.sqlite", store::testing::Era::k2010, true);
  ExpectEveryReportRuns(dir / "2010.sqlite");
}

TEST(ReportsEdgeTest, DatabaseWithoutDcerpcTablesOrResultIndex) {
  honeyvt::testing::TempDir dir;
  testing::BuildFullFixture(dir / "odd.sqlite");
  testing::ExecSql(dir / "odd.sqlite",
                   "DROP TABLE dcerpcrequests; DROP TABLE dcerpcserviceops;"
                   "DROP INDEX virustotalscans_result_idx;");
  ExpectEveryReportRuns(dir / "odd.sqlite");
  auto source = Source::Open(dir / "odd.sqlite", {});
  ASSERT_TRUE(source);
  auto aliases = Aliases(*source, {"rimecud", false});  // the no-index path
  ASSERT_TRUE(aliases);
  EXPECT_EQ(Rows(*aliases).size(), 5u);
  auto undetected = Undetected(*source, {"Avast", false, false});
  ASSERT_TRUE(undetected);
  EXPECT_THAT(Rows(*undetected), ElementsAre(Line{kRimecud, "1", "0", ""}));
  EXPECT_THAT(undetected->notes.back(), HasSubstr("no DCERPC tables"));
}

}  // namespace
}  // namespace honeyvt::report
