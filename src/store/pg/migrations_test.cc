#include "store/pg/migrations.h"

#include <gtest/gtest.h>

#include "store/pg/fleet_db.h"
#include "store/pg/pg_testing.h"

namespace honeyvt::pg {
namespace {

TEST(PgMigrationsTest, InitCreatesTheSchemaOnceAndRecordsTheVersion) {
  std::string why;
  auto empty = testing::TestDatabase::Create(why, /*empty=*/true);
  if (!empty) GTEST_SKIP() << why;
  auto conn = Connection::Open(empty->dsn());
  ASSERT_TRUE(conn);
  EXPECT_EQ(*SchemaVersion(*conn), 0);
  auto unchecked = CheckFleetSchema(*conn);
  ASSERT_FALSE(unchecked);
  EXPECT_EQ(unchecked.error().code, ErrorCode::kNotFound);
  EXPECT_NE(unchecked.error().message.find("honeyvt fleet init"), std::string::npos);
  auto before = MigrateFleet(*conn, "test");
  ASSERT_TRUE(before) << before.error().ToString();
  EXPECT_EQ(*before, 0);
  EXPECT_EQ(*SchemaVersion(*conn), LatestSchemaVersion());
  EXPECT_TRUE(CheckFleetSchema(*conn));
  // Again: nothing to do, nothing duplicated.
  auto again = MigrateFleet(*conn, "test");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, LatestSchemaVersion());
  auto rows = conn->Query("SELECT count(*) FROM honeyvt.schema_version");
  EXPECT_EQ(rows->Int64(0, 0), LatestSchemaVersion());
  // dionaea's tables, as its pg_schema declares them.
  auto cols = conn->Query(
      "SELECT string_agg(column_name || ' ' || data_type || coalesce('(' || "
      "character_maximum_length || ')', ''), ', ' ORDER BY ordinal_position) FROM "
      "information_schema.columns WHERE table_schema = 'dionaea' AND table_name = $1",
      Params("virustotals"));
  EXPECT_EQ(cols->Text(0, 0),
            "virustotal integer, virustotal_md5_hash character(32), virustotal_timestamp "
            "timestamp with time zone, virustotal_permalink character varying(128)");
}

TEST(PgMigrationsTest, ASchemaOfANewerHoneyvtIsRefused) {
  HONEYVT_PG_DATABASE(db);
  auto conn = Connection::Open(db.dsn());
  ASSERT_TRUE(conn);
  ASSERT_TRUE(
      conn->Query("INSERT INTO honeyvt.schema_version (version, description, applied_by) "
                  "VALUES ($1, 'from the future', 'honeyvt 9')",
                  Params(LatestSchemaVersion() + 1)));
  auto migrated = MigrateFleet(*conn, "test");
  ASSERT_FALSE(migrated);
  EXPECT_EQ(migrated.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(migrated.error().message.find("newer than this honeyvt"), std::string::npos);
  auto opened = FleetDb::Open(db.dsn(), "test");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(opened.error().message.find("upgrade honeyvt"), std::string::npos);
}

}  // namespace
}  // namespace honeyvt::pg
