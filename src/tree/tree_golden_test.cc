// The two reference outputs of dionaea's readlogsqltree (tests/fixtures/dionaea/expected_*.txt),
// reproduced byte for byte, plus invariants of paging and windowing.
#include <gtest/gtest.h>

#include <optional>

#include "core/testing.h"
#include "store/logsql_testing.h"
#include "tree/tree_test_util.h"

namespace honeyvt::tree {
namespace {

using honeyvt::testing::FixturesDir;
using honeyvt::testing::ReadFile;
using honeyvt::testing::TempDir;
using store::testing::BuildFixtureDatabase;
using testing::RunToString;

class TreeGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildFixtureDatabase(dir_ / "portable.sqlite", {"portable_data.sql"});
    BuildFixtureDatabase(dir_ / "full.sqlite", {"portable_data.sql", "full_extra.sql"});
  }
  TempDir dir_;
};

TEST_F(TreeGoldenTest, PortableMatchesReadlogsqltree) {
  EXPECT_EQ(RunToString(dir_ / "portable.sqlite", {}),
            ReadFile(FixturesDir() / "dionaea" / "expected_portable.txt"));
}

TEST_F(TreeGoldenTest, FullMatchesPython32EraOutput) {
  EXPECT_EQ(RunToString(dir_ / "full.sqlite", {}),
            ReadFile(FixturesDir() / "dionaea" / "expected_full_compat.txt"));
}

TEST_F(TreeGoldenTest, PagingAndWindowingDoNotChangeOutput) {
  const std::string expected = ReadFile(FixturesDir() / "dionaea" / "expected_full_compat.txt");
  for (std::size_t page : {1, 2, 3, 5, 7}) {
    TreeOptions o;
    o.page_size = page;
    EXPECT_EQ(RunToString(dir_ / "full.sqlite", o), expected) << "page size " << page;
  }
}

TEST_F(TreeGoldenTest, FiltersSelectRootsWithWholeTrees) {
  TreeOptions o;
  o.filters.md5sum = "3eab379ddac7d80d3e38399fd273ddd4";
  std::string out = RunToString(dir_ / "full.sqlite", o);
  EXPECT_NE(out.find("connection 6 FTPData"), std::string::npos);
  EXPECT_EQ(out.find("connection 7 "), std::string::npos);
  // Filters look only at the root's own rows: md5 of child 3's download selects nothing.
  o.filters.md5sum = "1d419d615dbe5a238bbaa569b3829a23";
  EXPECT_EQ(RunToString(dir_ / "full.sqlite", o), "using database located at full.sqlite\n");
  TreeOptions by_type;
  by_type.filters.connection_type = "reject";
  by_type.filters.remote_host = "203.0.113.11";
  EXPECT_EQ(RunToString(dir_ / "full.sqlite", by_type),
            "using database located at full.sqlite\n2010-10-07 18:03:00\n"
            "  connection 10 pcap tcp reject 192.0.2.10:1500 <- 203.0.113.11:5002 (10 None)\n");
  TreeOptions like;
  like.filters.in_download_url = "X.SH";  // LIKE is ASCII case-insensitive
  like.filters.time_from = 1286474639.5;
  like.filters.time_to = 1286474640.5;
  EXPECT_NE(RunToString(dir_ / "full.sqlite", like).find("connection 11 httpd"), std::string::npos);
  TreeOptions opnum;
  opnum.filters.dcerpcrequest_opnum = 0;  // -p 0 is applied (a string in the original)
  opnum.filters.dcerpcbind_uuid = "6bffd098-a112-3610-9833-46c3f87e345a";
  opnum.filters.protocol = "smbd";
  opnum.filters.in_offer_url = "m.exe";
  opnum.filters.connection = 1;
  EXPECT_NE(RunToString(dir_ / "full.sqlite", opnum).find("connection 1 smbd"), std::string::npos);
}

TEST_F(TreeGoldenTest, TimeBoundsAreStrictAndSelectRoots) {
  auto roots = [&](std::optional<double> from, std::optional<double> to) {
    TreeOptions o;
    o.filters.time_from = from;
    o.filters.time_to = to;
    std::string out = RunToString(dir_ / "full.sqlite", o), ids;
    for (std::size_t pos = 0; (pos = out.find("\n  connection ", pos)) != std::string::npos;) {
      pos += 14;
      ids += out.substr(pos, out.find(' ', pos) - pos) + ",";
    }
    return ids;
  };
  EXPECT_EQ(roots(1286474520.0, std::nullopt), "10,11,");  // strict: 9 is at .0 exactly
  EXPECT_EQ(roots(std::nullopt, 1286474460.999), "1,7,");
  EXPECT_EQ(roots(1286470000.0, 1286474461.0), "1,7,8,");
  EXPECT_EQ(roots(1300000000.0, std::nullopt), "");
  EXPECT_EQ(roots(0.0, std::nullopt), "1,7,8,9,10,11,");  // -t 0 is applied, matches all
}

TEST_F(TreeGoldenTest, InjectionAttemptsAreJustValues) {
  for (const char* evil : {"x' OR '1'='1", "1; DROP TABLE connections; --", "%' OR 1=1 --"}) {
    TreeOptions o;
    o.filters.remote_host = evil;
    o.filters.in_offer_url = evil;
    EXPECT_EQ(RunToString(dir_ / "full.sqlite", o), "using database located at full.sqlite\n");
  }
  EXPECT_NE(RunToString(dir_ / "full.sqlite", {}).find("connection 11"), std::string::npos);
}

TEST_F(TreeGoldenTest, LatestReportUsesOnlyTheNewestReport) {
  TreeOptions o;
  o.latest_report = true;
  const std::string out = RunToString(dir_ / "full.sqlite", o);
  EXPECT_NE(
      out.find(
          "     virustotal 2011-03-13 07:06:40 2/3 (67%) "
          "https://www.virustotal.com/file/"
          "265e39edcba9d9004451601544e625f2d3d04f837d0aaf1f8464cb2c819c1939/analysis/1300000000/\n"
          "       names 'Worm.Win32.Rimecud' 'Worm.Rimecud-1' \n"),
      std::string::npos)
      << out;
}

TEST_F(TreeGoldenTest, JsonHasOneObjectPerRootTree) {
  TreeOptions o;
  o.format = Format::kJson;
  const std::string out = RunToString(dir_ / "full.sqlite", o);
  std::size_t lines = 0;
  for (char c : out) lines += c == '\n';
  EXPECT_EQ(lines, 6u);  // roots 1, 7, 8, 9, 10, 11
  EXPECT_EQ(out.rfind("{\"connection\":1,", 0), 0u);
  EXPECT_NE(out.find("\"children\":[{\"connection\":2,"), std::string::npos);
  EXPECT_NE(out.find("\"detected\":7,\"scanners\":11,\"percent\":64"), std::string::npos);
  EXPECT_NE(out.find("\"cmd\":\"select @@version\""), std::string::npos);
  EXPECT_NE(out.find("\"op\":\"COM_QUERY\",\"args\":[\"select @@version_comment limit 1\"]"),
            std::string::npos);
}

}  // namespace
}  // namespace honeyvt::tree
