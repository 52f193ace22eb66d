#include "tree/vt_summary.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "store/logsql_testing.h"
#include "store/sqlite.h"

namespace honeyvt::tree {
namespace {

TEST(DetectionPercentTest, DivideThenMultiplyThenRoundHalfEven) {
  EXPECT_EQ(DetectionPercent(5, 8), "62");  // 62.5 -> even
  EXPECT_EQ(DetectionPercent(3, 8), "38");  // 37.5 -> even
  EXPECT_EQ(DetectionPercent(7, 11), "64");
  EXPECT_EQ(DetectionPercent(23, 40), "57");  // 57.49999999999999, not 58
  EXPECT_EQ(DetectionPercent(1, 200), "0");   // 0.5 -> even
  EXPECT_EQ(DetectionPercent(3, 200), "2");   // 1.5 -> 2
  EXPECT_EQ(DetectionPercent(0, 3), "0");
  EXPECT_EQ(DetectionPercent(43, 43), "100");
}

TEST(SqliteDatetimeTest, RoundsToTheMillisecondThenTruncates) {
  honeyvt::testing::TempDir dir;
  auto db = store::Database::Open(dir / "t.sqlite", {.mode = store::OpenMode::kCreate});
  ASSERT_TRUE(db.has_value());
  auto stmt = db->Prepare(
      "SELECT datetime(59.9996,'unixepoch','localtime'), "
      "datetime(59.9994,'unixepoch','localtime'), datetime(1286470647.25,'unixepoch','localtime')");
  ASSERT_TRUE(stmt.has_value());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->Text(0), "1970-01-01 00:01:00");  // TZ=UTC in tests
  EXPECT_EQ(stmt->Text(1), "1970-01-01 00:00:59");
  EXPECT_EQ(stmt->Text(2), "2010-10-07 16:57:27");
}

TEST(VtLookupTest, SumsAllReportsOrLatestOnly) {
  honeyvt::testing::TempDir dir;
  store::testing::BuildFixtureDatabase(dir / "f.sqlite", {"portable_data.sql", "full_extra.sql"});
  auto db = store::Database::Open(dir / "f.sqlite", {});
  ASSERT_TRUE(db.has_value());
  const Value md5 = Value::Text("3eab379ddac7d80d3e38399fd273ddd4");
  auto all = VtLookup::Create(*db, false);
  ASSERT_TRUE(all.has_value());
  auto s = all->Get(md5);
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE((*s)->has_line);
  EXPECT_EQ((*s)->detected, 7);
  EXPECT_EQ((*s)->scanners, 11);
  EXPECT_EQ((*s)->timestamp, "2010-10-07 02:59:07");
  EXPECT_EQ((*s)->names.size(), 5u);
  auto latest = VtLookup::Create(*db, true);
  ASSERT_TRUE(latest.has_value());
  auto l = latest->Get(md5);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ((*l)->detected, 2);
  EXPECT_EQ((*l)->scanners, 3);
  auto none = all->Get(Value::Text("0123456789abcdef0123456789abcdef"));
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE((*none)->has_line);
  EXPECT_TRUE((*none)->names.empty());
}

}  // namespace
}  // namespace honeyvt::tree
