// undetected on the dionaea fixtures: the vendor-absent decision, the vulnerability join
// through the attack's root connection and hostile vendor names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "report/report_test_util.h"
#include "report/reports.h"

namespace honeyvt::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Rows;
using Line = std::vector<std::string>;

constexpr const char* kRimecud = "3eab379ddac7d80d3e38399fd273ddd4";

class UndetectedTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::BuildFullFixture(path_); }
  Document Run(const UndetectedQuery& q, Filter f = {}) {
    auto source = Source::Open(path_, f);
    EXPECT_TRUE(source);
    auto doc = Undetected(*source, q);
    EXPECT_TRUE(doc) << doc.error().ToString();
    return *doc;
  }
  honeyvt::testing::TempDir dir_;
  std::filesystem::path path_ = dir_ / "full.sqlite";
};

TEST_F(UndetectedTest, NullResultInTheLatestReportIsAMiss) {
  // Latest report of the Rimecud sample: AVG and ClamAV name it, Avast is NULL. Root
  // connection 1 requested SRVSVC 31 (MS08-67), WKSSVC 27 (MS03-39), MGMT 0 (no vuln),
  // an unknown uuid and an unknown opnum.
  Document doc = Run({"Avast", false, false});
  EXPECT_THAT(Rows(doc), ElementsAre(Line{kRimecud, "1", "2", "MS03-39, MS08-67"}));
  EXPECT_THAT(doc.tables[0].title, HasSubstr("1 of 1"));
  EXPECT_TRUE(Rows(Run({"AVG", false, false})).empty());
}

TEST_F(UndetectedTest, AbsentVendorIsNotAMissUnlessAsked) {
  // McAfee was NULL in the 2010 report but is absent from the latest one.
  EXPECT_TRUE(Rows(Run({"McAfee", false, false})).empty());
  EXPECT_EQ(Rows(Run({"McAfee", false, true})).size(), 1u);
  // Kaspersky named it in 2010 and is absent in 2011: still not a miss by default.
  EXPECT_TRUE(Rows(Run({"Kaspersky", false, false})).empty());
}

TEST_F(UndetectedTest, VulnerabilityComesFromTheRootOfAChildConnectionsDownload) {
  // Give the bindshell/FTP sample (downloaded on child connection 3, root 1) a report
  // that Avast misses: its vulnerabilities are those of root connection 1.
  testing::ExecSql(path_,
                   "INSERT INTO virustotals VALUES (10, '1d419d615dbe5a238bbaa569b3829a23', "
                   "1286500000, 'p');"
                   "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, "
                   "virustotalscan_result) VALUES (10, 'Avast', NULL), (10, 'AVG', 'W32.Sdbot');"
                   "INSERT INTO virustotals VALUES (11, '0123456789abcdef0123456789abcdef', "
                   "1286500000, 'p');"
                   "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, "
                   "virustotalscan_result) VALUES (11, 'Avast', '');");
  Document doc = Run({"Avast", false, false});
  EXPECT_THAT(Rows(doc),
              ElementsAre(Line{"1d419d615dbe5a238bbaa569b3829a23", "1", "2", "MS03-39, MS08-67"},
                          Line{kRimecud, "1", "2", "MS03-39, MS08-67"},
                          Line{"0123456789abcdef0123456789abcdef", "1", "0", ""}));
  // --vuln-only drops the HTTP sample, which came through no DCERPC op.
  EXPECT_EQ(Rows(Run({"Avast", true, false})).size(), 2u);
  // The window: only connection 11 (httpd) is late.
  EXPECT_THAT(Rows(Run({"Avast", false, false}, testing::MakeFilter(1286474000.0))),
              ElementsAre(Line{"0123456789abcdef0123456789abcdef", "1", "0", ""}));
  EXPECT_EQ(
      Rows(Run({"Avast", false, false}, testing::MakeFilter(std::nullopt, std::nullopt, 1))).size(),
      1u);
}

TEST_F(UndetectedTest, OldSeedSpellingOfAVulnIsReportedAsStored) {
  testing::ExecSql(path_,
                   "UPDATE dcerpcserviceops SET dcerpcserviceop_vuln = 'MS04-11' WHERE "
                   "dcerpcserviceop_opnum = 27 AND dcerpcservice = (SELECT dcerpcservice FROM "
                   "dcerpcservices WHERE dcerpcservice_name = 'WKSSVC')");
  EXPECT_THAT(Rows(Run({"Avast", false, false})),
              ElementsAre(Line{kRimecud, "1", "2", "MS04-11, MS08-67"}));
}

TEST_F(UndetectedTest, ServiceIdsAreJoinedByUuidNotByNumber) {
  // Renumber every service as an old database might have them: results must not change.
  testing::ExecSql(path_,
                   "UPDATE dcerpcserviceops SET dcerpcservice = dcerpcservice + 1000;"
                   "UPDATE dcerpcservices SET dcerpcservice = dcerpcservice + 1000;");
  EXPECT_THAT(Rows(Run({"Avast", false, false})),
              ElementsAre(Line{kRimecud, "1", "2", "MS03-39, MS08-67"}));
}

TEST_F(UndetectedTest, HostileVendorNamesMatchNothing) {
  for (const char* vendor : {"x' OR '1'='1", "Avast' --", "%", "avast", ""}) {
    Document doc = Run({vendor, false, true});
    // include_absent: every latest report lacks such a vendor, so the one sample is listed;
    // without it nothing is.
    EXPECT_EQ(Rows(doc).size(), 1u) << vendor;
    EXPECT_TRUE(Rows(Run({vendor, false, false})).empty()) << vendor;
    ASSERT_FALSE(doc.notes.empty());
    EXPECT_THAT(doc.notes[0], HasSubstr("appears in no report"));
  }
}

}  // namespace
}  // namespace honeyvt::report
