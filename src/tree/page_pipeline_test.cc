// The page pipeline hands out every root exactly once, in order, across its slots, and
// its window prefetch (KeyedRows) answers only for keys it really read.
#include "tree/page_pipeline.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/testing.h"
#include "store/logsql_testing.h"
#include "tree/keyed_rows.h"
#include "tree/tree_test_util.h"

namespace honeyvt::tree {
namespace {

using honeyvt::testing::TempDir;

std::filesystem::path ManyRoots(const TempDir& dir, int n) {
  const auto db = dir / "roots.sqlite";
  store::testing::BuildFixtureDatabase(db, {});
  testing::Exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                        std::to_string(n) +
                        ") INSERT INTO connections (connection, connection_type, connection_root) "
                        "SELECT i, 'accept', i FROM n;");
  return db;
}

TEST(PagePipelineTest, EveryRootOnceInOrderThenEndForGood) {
  TempDir dir;
  const auto db = ManyRoots(dir, 25);
  const PageCursor cursor{std::numeric_limits<std::int64_t>::min(),
                          std::numeric_limits<std::int64_t>::max(), 4};
  auto pipeline = PagePipeline::Start(db, BuildRootQuery({}), cursor);
  ASSERT_TRUE(pipeline.has_value()) << pipeline.error().ToString();
  std::vector<std::int64_t> seen;
  std::vector<std::size_t> slots;
  while (true) {
    auto slot = (*pipeline)->Next();
    ASSERT_TRUE(slot.has_value()) << slot.error().ToString();
    if (*slot == nullptr) break;
    slots.push_back((*slot)->index);
    for (std::size_t i = 0; i < (*slot)->count; ++i) seen.push_back((*slot)->page[i].id);
  }
  ASSERT_EQ(seen.size(), 25u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int>(i) + 1);
  ASSERT_EQ(slots.size(), 7u);  // 6 full pages of 4, one of 1
  for (std::size_t s : slots) EXPECT_LT(s, PagePipeline::kSlots);
  // Slots are reused: more pages than slots, yet every slot index stays in range.
  EXPECT_GT(slots.size(), PagePipeline::kSlots);
  auto again = (*pipeline)->Next();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, nullptr);
}

TEST(PagePipelineTest, StoppingEarlyJoinsTheLoader) {
  TempDir dir;
  const auto db = ManyRoots(dir, 5000);
  const PageCursor cursor{std::numeric_limits<std::int64_t>::min(),
                          std::numeric_limits<std::int64_t>::max(), 10};
  auto pipeline = PagePipeline::Start(db, BuildRootQuery({}), cursor);
  ASSERT_TRUE(pipeline.has_value());
  auto slot = (*pipeline)->Next();
  ASSERT_TRUE(slot.has_value() && *slot != nullptr);
  pipeline->reset();  // the loader is waiting for a free slot: it must still stop
  SUCCEED();
}

TEST(PagePipelineTest, MissingDatabaseIsAnErrorNotACreatedFile) {
  TempDir dir;
  const PageCursor cursor{0, 10, 10};
  auto pipeline = PagePipeline::Start(dir / "gone.sqlite", BuildRootQuery({}), cursor);
  ASSERT_FALSE(pipeline.has_value());
  EXPECT_FALSE(std::filesystem::exists(dir / "gone.sqlite"));
}

TEST(KeyedRowsTest, AnswersOnlyInsideTheLoadedRangeAndSkipsNonIntegerKeys) {
  TempDir dir;
  const auto path = dir / "k.sqlite";
  auto db = store::Database::Open(path, {.mode = store::OpenMode::kCreate});
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k, v);"
                       "INSERT INTO t VALUES (1,'a'),(3,'b'),(3,'c'),(4.5,'x'),('3','d'),"
                       "(9,'out');")
                  .has_value());
  auto range = db->Prepare("SELECT k, v FROM t WHERE k >= ?1 AND k <= ?2 ORDER BY k, rowid");
  ASSERT_TRUE(range.has_value());
  KeyedRows rows;
  ASSERT_TRUE(rows.Load(*range, 1, 5, 1, 100).has_value());
  RowList out;
  ASSERT_TRUE(rows.Find(3, out));
  ASSERT_EQ(out.size(), 2u);  // the text '3' and the real 4.5 are not integer keys
  EXPECT_EQ(out[0][0].bytes, "b");
  EXPECT_EQ(out[1][0].bytes, "c");
  ASSERT_TRUE(rows.Find(2, out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(rows.Find(9, out));  // outside [1, 5]: the caller must ask SQLite
  EXPECT_FALSE(rows.Find(0, out));
}

TEST(KeyedRowsTest, MoreRowsThanTheCapLeaveTheWindowInvalid) {
  TempDir dir;
  auto db = store::Database::Open(dir / "c.sqlite", {.mode = store::OpenMode::kCreate});
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(
      db->Exec("CREATE TABLE t (k, v); INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c');").has_value());
  auto range = db->Prepare("SELECT k, v FROM t WHERE k >= ?1 AND k <= ?2 ORDER BY k, rowid");
  ASSERT_TRUE(range.has_value());
  KeyedRows rows;
  ASSERT_TRUE(rows.Load(*range, 1, 3, 1, 2).has_value());
  RowList out;
  EXPECT_FALSE(rows.valid());
  EXPECT_FALSE(rows.Find(1, out));
  ASSERT_TRUE(rows.Load(*range, 1, 3, 1, 3).has_value());
  EXPECT_TRUE(rows.Find(1, out));
}

}  // namespace
}  // namespace honeyvt::tree
