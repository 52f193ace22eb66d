#include "store/migrations.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace honeyvt::store {
namespace {

TEST(MigrationsTest, AppliesInOrderAndRecordsVersion) {
  testing::TempDir dir;
  auto db = Database::Open(dir / "m.sqlite", {.mode = OpenMode::kCreate, .owned = true});
  ASSERT_TRUE(db);
  const Migration v1[] = {{"one", "CREATE TABLE a(x)"}};
  ASSERT_TRUE(Migrate(*db, v1));
  EXPECT_EQ(*UserVersion(*db), 1);
  const Migration v2[] = {{"one", "CREATE TABLE a(x)"}, {"two", "CREATE TABLE b(y)"}};
  ASSERT_TRUE(Migrate(*db, v2));  // only the second runs
  EXPECT_EQ(*UserVersion(*db), 2);
  EXPECT_TRUE(db->TableExists("b"));
  ASSERT_TRUE(Migrate(*db, v2));  // idempotent
}

TEST(MigrationsTest, FailedMigrationLeavesOldVersion) {
  testing::TempDir dir;
  auto db = Database::Open(dir / "m.sqlite", {.mode = OpenMode::kCreate, .owned = true});
  ASSERT_TRUE(db);
  const Migration bad[] = {{"ok", "CREATE TABLE a(x)"}, {"bad", "CREATE TABLE c(z); SELEC nonsense"}};
  EXPECT_FALSE(Migrate(*db, bad));
  EXPECT_EQ(*UserVersion(*db), 1);
  EXPECT_FALSE(db->TableExists("c"));
}

TEST(MigrationsTest, RefusesNewerDatabase) {
  testing::TempDir dir;
  auto db = Database::Open(dir / "m.sqlite", {.mode = OpenMode::kCreate, .owned = true});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Exec("PRAGMA user_version = 9"));
  const Migration one[] = {{"one", "CREATE TABLE a(x)"}};
  auto st = Migrate(*db, one);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace honeyvt::store
