// Reports cover every sample honeyvt checked, not only dionaea's downloads: a third of
// the reported samples here have no download row (one queued from a watch folder, with
// its job in honeyvt's state database; one with no job, known only from its report).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "report/report_test_util.h"
#include "report/reports.h"
#include "store/logsql.h"
#include "store/state_db.h"

namespace honeyvt::report {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Rows;
using Line = std::vector<std::string>;

constexpr const char* kWatched = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";  // job: watch folder
constexpr const char* kOrphan = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";   // no job, no download
constexpr double kWatchedSeen = 1306886400;                           // 2011-06-01 00:00 UTC
constexpr double kOrphanFetched = 1325376000;                         // 2012-01-01 00:00 UTC

class ReportOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The fixture's 3 downloaded samples (one with reports) + a 4th download; reports for
    // all four, and for two md5s that were never downloaded: 2 of 6 reported samples.
    testing::BuildFullFixture(logsql_);
    {
      auto l = store::Logsql::Open(logsql_, store::OpenMode::kReadWrite);
      ASSERT_TRUE(l) << l.error().ToString();
      ASSERT_TRUE(l->EnsureHoneyvtTables());
    }
    testing::ExecSql(
        logsql_,
        "INSERT INTO downloads (connection, download_url, download_md5_hash) VALUES "
        "(1, 'u', 'cccccccccccccccccccccccccccccccc');"
        "INSERT INTO virustotals VALUES "
        "(10, '1d419d615dbe5a238bbaa569b3829a23', 1290000000, 'p'),"
        "(11, '0123456789abcdef0123456789abcdef', 1290000000, 'p'),"
        "(12, 'cccccccccccccccccccccccccccccccc', 1290000000, 'p'),"
        "(13, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1306900000, 'p'),"
        "(14, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1325300000, 'p');"
        "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, virustotalscan_result) "
        "VALUES (10, 'Avast', 'Win32:Agent-XYZ'), (10, 'ClamAV', NULL), (11, 'Avast', NULL),"
        "(12, 'Avast', 'Worm.Generic'),"
        "(13, 'AVG', 'Worm.Win32.Rimecud'), (13, 'Avast', NULL), (13, 'ClamAV', 'Worm.Rimecud-2'),"
        "(14, 'Avast', NULL), (14, 'AVG', 'Trojan.Agent');"
        "INSERT INTO honeyvt_reports (md5, positives, total, analysis_date, fetched_at, "
        "permalink, api_version, virustotal) VALUES "
        "('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1, 2, 1325300000, 1325376000, 'p', 3, 14),"
        "('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1, 2, 1325000000, 1325400000, 'p', 3, NULL);");
    auto state = store::StateDb::Open(state_);
    ASSERT_TRUE(state) << state.error().ToString();
    domain::EnqueueItem watched;
    watched.md5 = kWatched;
    watched.source = "watch:/data/cowrie/downloads";
    domain::EnqueueItem downloaded;  // a job of a downloaded sample does not change its source
    downloaded.md5 = "1d419d615dbe5a238bbaa569b3829a23";
    downloaded.source = "backlog";
    const domain::EnqueueItem items[] = {watched, downloaded};
    ASSERT_TRUE(state->Enqueue(items, store::FromUnixMillis(kWatchedSeen * 1000)));
  }
  Source Open(Filter filter = {}, bool with_state = true) {
    auto source = Source::Open(logsql_, filter, with_state ? state_ : std::filesystem::path());
    if (!source) ADD_FAILURE() << source.error().ToString();
    return std::move(source).value();
  }
  honeyvt::testing::TempDir dir_;
  std::filesystem::path logsql_ = dir_ / "dionaea.sqlite";
  std::filesystem::path state_ = dir_ / "honeyvt-state.sqlite";
};

TEST_F(ReportOnlyTest, SummaryCountsSamplesWithoutDownloadsAndTheirSources) {
  Source source = Open();
  auto doc = Summary(source);
  ASSERT_TRUE(doc) << doc.error().ToString();
  ASSERT_EQ(doc->tables.size(), 5u);
  EXPECT_THAT(Rows(*doc, 0),
              ElementsAre(Line{"samples", "6"}, Line{"downloads", "4"},
                          Line{"samples_with_report", "6"}, Line{"samples_without_verdict", "0"},
                          Line{"reports", "7"}, Line{"samples_without_family", "4"}));
  EXPECT_EQ(doc->tables[4].name, "sources");
  EXPECT_THAT(Rows(*doc, 4), ElementsAre(Line{"dionaea downloads", "4"}, Line{"unknown", "1"},
                                         Line{"watch:/data/cowrie/downloads", "1"}));
  // New per day: the downloads' day, the watched sample's job, the orphan's first fetch.
  EXPECT_THAT(Rows(*doc, 3), ElementsAre(Line{"2010-10-07", "4"}, Line{"2011-06-01", "1"},
                                         Line{"2012-01-01", "1"}));
  EXPECT_THAT(source.notes(), IsEmpty());
}

TEST_F(ReportOnlyTest, EveryReportListsSamplesWithoutDownloads) {
  Source source = Open();
  auto families = Families(source);
  ASSERT_TRUE(families);
  ASSERT_EQ(Rows(*families).size(), 6u);
  EXPECT_THAT(Rows(*families),
              Contains(Line{kWatched, "rimecud", "2", "2", "3", "2011-06-01 00:00:00"}));
  auto aliases = Aliases(source, {"rimecud", false});
  ASSERT_TRUE(aliases);
  EXPECT_THAT(Rows(*aliases), Contains(Line{"Worm.Win32.Rimecud", "2", "4"}));
  auto missed = Undetected(source, {"Avast", false, false});
  ASSERT_TRUE(missed);
  EXPECT_THAT(Rows(*missed), Contains(Line{kWatched, "0", "0", ""}));
  EXPECT_THAT(Rows(*missed), Contains(Line{kOrphan, "0", "0", ""}));
  auto signatures = Signatures(source, {"rimecud", false});
  ASSERT_TRUE(signatures);
  EXPECT_THAT(Rows(*signatures), Contains(Line{"AVG", "1", "2", "2", "Worm.Win32.Rimecud"}));
}

TEST_F(ReportOnlyTest, WindowUsesFirstSightForSamplesWithoutDownloads) {
  // 2011: no download (all are in October 2010), only the watched sample's job.
  Source y2011 = Open(testing::MakeFilter(1293840000.0, 1325376000.0));
  auto summary = Summary(y2011);
  ASSERT_TRUE(summary);
  EXPECT_EQ(Rows(*summary, 0)[0], (Line{"samples", "1"}));
  EXPECT_EQ(Rows(*summary, 0)[1], (Line{"downloads", "0"}));
  EXPECT_THAT(Rows(*summary, 4), ElementsAre(Line{"watch:/data/cowrie/downloads", "1"}));
  auto families = Families(y2011);
  ASSERT_TRUE(families);
  EXPECT_THAT(Rows(*families),
              ElementsAre(Line{kWatched, "rimecud", "2", "2", "3", "2011-06-01 00:00:00"}));
  // From 2012 on: the orphan, dated by its first report fetch (not its analysis date,
  // which is in 2011, nor the later fetch).
  Source y2012 = Open(testing::MakeFilter(kOrphanFetched));
  auto late = Families(y2012);
  ASSERT_TRUE(late);
  ASSERT_EQ(Rows(*late).size(), 1u);
  EXPECT_EQ(Rows(*late)[0][0], kOrphan);
  // October 2010: the downloaded samples only.
  Source oct2010 = Open(testing::MakeFilter(1285891200.0, 1288569600.0));
  auto early = Summary(oct2010);
  ASSERT_TRUE(early);
  EXPECT_EQ(Rows(*early, 0)[0], (Line{"samples", "4"}));
  EXPECT_THAT(Rows(*early, 4), ElementsAre(Line{"dionaea downloads", "4"}));
}

TEST_F(ReportOnlyTest, WithoutTheStateDatabaseTheSourceIsUnknownAndANoteSaysWhy) {
  Source source = Open({}, /*with_state=*/false);
  auto doc = Summary(source);
  ASSERT_TRUE(doc);
  EXPECT_THAT(Rows(*doc, 4), ElementsAre(Line{"dionaea downloads", "4"}, Line{"unknown", "2"}));
  ASSERT_EQ(source.notes().size(), 1u);
  EXPECT_THAT(source.notes()[0], HasSubstr("2 samples have a report but no download"));
  // The watched sample has no honeyvt_reports row: its first sight is unknown, so it is in
  // no window; the orphan is still dated by its first fetch.
  Source y2012 = Open(testing::MakeFilter(1293840000.0), /*with_state=*/false);
  auto families = Families(y2012);
  ASSERT_TRUE(families);
  ASSERT_EQ(Rows(*families).size(), 1u);
  EXPECT_EQ(Rows(*families)[0][0], kOrphan);
}

}  // namespace
}  // namespace honeyvt::report
