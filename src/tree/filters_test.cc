#include "tree/filters.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "store/logsql_testing.h"
#include "tree/tree.h"

namespace honeyvt::tree {
namespace {

TEST(RootQueryTest, ConditionsInOriginalOrderWithPlaceholders) {
  TreeFilters f;
  f.connection_type = "accept";
  f.md5sum = "x";
  f.remote_host = "1.2.3.4";
  f.time_from = 5;
  RootQuery q = BuildRootQuery(f);
  const std::string tail =
      "\t(c.connection_root = c.connection OR c.connection_root IS NULL)\n"
      "\tAND c.remote_host = ? \n"
      "\tAND c.connection_timestamp > ? \n"
      "\tAND c.connection IN (SELECT connection FROM downloads WHERE download_md5_hash = ?) \n"
      "\tAND c.connection_type = ? \n";
  ASSERT_GE(q.text.size(), tail.size());
  EXPECT_EQ(q.text.substr(q.text.size() - tail.size()), tail);
  EXPECT_EQ(q.text.front(), '\n');
  ASSERT_EQ(q.params.size(), 4u);
  EXPECT_EQ(q.params[0].bytes, "1.2.3.4");
  EXPECT_EQ(q.params[1].real, 5.0);
  EXPECT_EQ(q.params[3].bytes, "accept");
}

TEST(RootQueryTest, LikeValuesAreWrappedInPercent) {
  TreeFilters f;
  f.in_offer_url = "a%b_";
  RootQuery q = BuildRootQuery(f);
  ASSERT_EQ(q.params.size(), 1u);
  EXPECT_EQ(q.params[0].bytes, "%a%b_%");
}

TEST(RootQueryTest, QueryOnlyFraming) {
  TreeOptions o;
  o.db_label = "x.sqlite";
  const std::string text = QueryOnlyText(o);
  EXPECT_EQ(text.rfind("using database located at x.sqlite\n\nSELECT\n", 0), 0u);
  EXPECT_EQ(text.substr(text.size() - 3), ")\n\n");
}

// Filtered runs must be driven by an index, never a scan of every connection.
std::string Plan(store::Database& db, const TreeFilters& f) {
  RootQuery q = BuildRootQuery(f);
  auto stmt = db.Prepare("EXPLAIN QUERY PLAN " + PagedRootSql(q));
  EXPECT_TRUE(stmt.has_value());
  std::string plan;
  while (true) {
    auto row = stmt->Step();
    if (!row || !*row) break;
    plan += stmt->Text(3) + "\n";
  }
  return plan;
}

TEST(RootQueryTest, FiltersUseIndexes) {
  honeyvt::testing::TempDir dir;
  store::testing::BuildFixtureDatabase(dir / "f.sqlite", {"portable_data.sql"});
  auto db = store::Database::Open(dir / "f.sqlite", {});
  ASSERT_TRUE(db.has_value());
  TreeFilters md5;
  md5.md5sum = "x";
  EXPECT_NE(Plan(*db, md5).find("downloads_md5_hash_idx"), std::string::npos) << Plan(*db, md5);
  TreeFilters conn;
  conn.connection = 3;
  EXPECT_NE(Plan(*db, conn).find("INTEGER PRIMARY KEY (rowid=?)"), std::string::npos)
      << Plan(*db, conn);
  TreeFilters host;
  host.remote_host = "1.2.3.4";
  EXPECT_NE(Plan(*db, host).find("connections_remote_host_idx"), std::string::npos)
      << Plan(*db, host);
  TreeFilters uuid;
  uuid.dcerpcbind_uuid = "u";
  EXPECT_NE(Plan(*db, uuid).find("dcerpcbinds_uuid_idx"), std::string::npos) << Plan(*db, uuid);
  TreeFilters none;
  EXPECT_NE(Plan(*db, none).find("INTEGER PRIMARY KEY (rowid>? AND rowid<?)"), std::string::npos)
      << Plan(*db, none);
}

}  // namespace
}  // namespace honeyvt::tree
