#include "ingest/cursor_store.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace honeyvt::ingest {
namespace {

TEST(SqliteCursorStoreTest, UnknownKeyStartsAtZero) {
  honeyvt::testing::TempDir dir;
  auto store = SqliteCursorStore::Open(dir / "state.sqlite");
  ASSERT_TRUE(store) << store.error().message;
  auto s = store->Load("/x/dionaea.sqlite");
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, FollowerState{});
}

TEST(SqliteCursorStoreTest, SurvivesReopenAndReplacesPending) {
  honeyvt::testing::TempDir dir;
  const FollowerState first{
      42, {{40, std::string(32, 'a'), 1000, 1286470647.25}, {41, std::string(32, 'b'), 1001, 0}}};
  {
    auto store = SqliteCursorStore::Open(dir / "state.sqlite");
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->Save("k", first));
    ASSERT_TRUE(store->Save("other", FollowerState{7, {}}));
  }
  auto store = SqliteCursorStore::Open(dir / "state.sqlite");
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->Load("k"), first);
  EXPECT_EQ(store->Load("other")->last_rowid, 7);
  const FollowerState second{50, {{41, std::string(32, 'b'), 1001, 0}}};
  ASSERT_TRUE(store->Save("k", second));
  EXPECT_EQ(*store->Load("k"), second);
}

TEST(SqliteCursorStoreTest, DoesNotTouchUserVersion) {
  honeyvt::testing::TempDir dir;
  {
    auto db = store::Database::Open(dir / "s.sqlite", {.mode = store::OpenMode::kCreate});
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 3"));
  }
  auto store = SqliteCursorStore::Open(dir / "s.sqlite");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Save("k", FollowerState{1, {}}));
  auto db = store::Database::Open(dir / "s.sqlite", {});
  auto st = db->Prepare("PRAGMA user_version");
  ASSERT_TRUE(st->Step());
  EXPECT_EQ(st->Int64(0), 3);
}

}  // namespace
}  // namespace honeyvt::ingest
