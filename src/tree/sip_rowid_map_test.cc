// SipRowidMap: rowid bounds that always contain a sip_command range's rows, checked
// against SQLite by brute force; tables where rowid order is not sip_command order (or
// with non-integer keys) get no map. DistinctRows keeps SELECT DISTINCT's equality.
#include "tree/sip_rowid_map.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>

#include "core/testing.h"
#include "tree/source.h"

namespace honeyvt::tree {
namespace {

using honeyvt::testing::TempDir;

store::Database Create(const TempDir& dir, const std::string& sql) {
  auto db = store::Database::Open(dir / "s.sqlite", {.mode = store::OpenMode::kCreate});
  EXPECT_TRUE(db.has_value());
  Status st = db->Exec("CREATE TABLE sip_vias (sip_command INTEGER, v TEXT);" + sql);
  EXPECT_TRUE(st.has_value()) << st.error().ToString();
  return std::move(*db);
}

// Rowids of sip_vias rows with sip_command in [lo, hi], by a full scan.
std::vector<std::int64_t> Matches(store::Database& db, std::int64_t lo, std::int64_t hi) {
  auto stmt = db.Prepare(
      "SELECT rowid FROM sip_vias WHERE sip_command >= ?1 AND sip_command <= ?2 ORDER BY rowid");
  EXPECT_TRUE(stmt.has_value());
  stmt->Bind(1, lo).Bind(2, hi);
  std::vector<std::int64_t> out;
  while (*stmt->Step()) out.push_back(stmt->Int64(0));
  return out;
}

TEST(SipRowidMapTest, BoundsContainEveryMatchAndLittleElse) {
  TempDir dir;
  // 2,000 commands with 0-4 parts each, NULL keys sprinkled in, rowids with gaps.
  std::mt19937 rng(7);
  std::string sql = "BEGIN;";
  std::int64_t rowid = 1;
  for (int c = 1; c <= 2000; ++c) {
    const int parts = static_cast<int>(rng() % 5);
    for (int p = 0; p < parts; ++p) {
      rowid += 1 + static_cast<std::int64_t>(rng() % 3);
      sql += "INSERT INTO sip_vias (rowid, sip_command, v) VALUES (" + std::to_string(rowid) + "," +
             std::to_string(c * 3) + ",'x');";
      if (rng() % 17 == 0) {
        sql += "INSERT INTO sip_vias (rowid, sip_command, v) VALUES (" + std::to_string(++rowid) +
               ", NULL, 'n');";
      }
    }
  }
  store::Database db = Create(dir, sql + "COMMIT;");
  auto map = SipRowidMap::Build(db, "sip_vias");
  ASSERT_TRUE(map.has_value()) << map.error().ToString();
  ASSERT_TRUE(map->has_value());
  EXPECT_GT((*map)->marks(), 10u);
  for (int i = 0; i < 300; ++i) {
    const std::int64_t lo = static_cast<std::int64_t>(rng() % 6100) - 20;
    const std::int64_t hi = lo + static_cast<std::int64_t>(rng() % (i % 3 == 0 ? 2 : 400));
    const auto [first, last] = (*map)->Bounds(lo, hi);
    const auto all = Matches(db, lo, hi);
    for (std::int64_t r : all) {
      EXPECT_GE(r, first) << lo << ".." << hi;
      EXPECT_LE(r, last) << lo << ".." << hi;
    }
    // A bounded range reads at most two strides beyond its matches.
    if (first != std::numeric_limits<std::int64_t>::min() &&
        last != std::numeric_limits<std::int64_t>::max() && !all.empty()) {
      const auto slack = 16 * static_cast<std::int64_t>(SipRowidMap::kStride);
      EXPECT_LE(last - first, all.back() - all.front() + slack);
    }
  }
}

TEST(SipRowidMapTest, RowsAppendedAfterTheBuildAreFoundForNewCommands) {
  TempDir dir;
  std::string sql = "BEGIN;";
  for (int c = 1; c <= 600; ++c) {
    sql += "INSERT INTO sip_vias VALUES (" + std::to_string(c) + ",'x');";
  }
  store::Database db = Create(dir, sql + "COMMIT;");
  auto map = SipRowidMap::Build(db, "sip_vias");
  ASSERT_TRUE(map.has_value() && map->has_value());
  ASSERT_TRUE(db.Exec("INSERT INTO sip_vias VALUES (601,'late'),(602,'late')").has_value());
  const auto [first, last] = (*map)->Bounds(601, 602);
  for (std::int64_t r : Matches(db, 601, 602)) {
    EXPECT_GE(r, first);
    EXPECT_LE(r, last);
  }
}

TEST(SipRowidMapTest, NoMapWhenRowidOrderIsNotCommandOrderOrKeysAreNotIntegers) {
  TempDir dir;
  store::Database db = Create(dir, "INSERT INTO sip_vias VALUES (1,'a'),(3,'b'),(2,'c');");
  auto map = SipRowidMap::Build(db, "sip_vias");
  ASSERT_TRUE(map.has_value());
  EXPECT_FALSE(map->has_value());
  ASSERT_TRUE(db.Exec("DELETE FROM sip_vias; INSERT INTO sip_vias VALUES (1,'a'),('x','b'),"
                      "(2,'c');")
                  .has_value());
  map = SipRowidMap::Build(db, "sip_vias");
  ASSERT_TRUE(map.has_value());
  EXPECT_FALSE(map->has_value());
  ASSERT_TRUE(
      db.Exec("DELETE FROM sip_vias; INSERT INTO sip_vias VALUES (1,'a'),(1.5,'b');").has_value());
  map = SipRowidMap::Build(db, "sip_vias");
  ASSERT_TRUE(map.has_value());
  EXPECT_FALSE(map->has_value());
}

TEST(SipRowidMapTest, SharedMapsAreBuiltOnceAndMissingTablesHaveNone) {
  TempDir dir;
  store::Database db = Create(dir, "INSERT INTO sip_vias VALUES (1,'a');");
  SharedSipMaps shared;
  auto first = shared.Get(db);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(db.Exec("INSERT INTO sip_vias VALUES (0,'out of order')").has_value());
  auto again = shared.Get(db);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*first, *again);  // not rebuilt: the map from the first call stays
  EXPECT_TRUE((*again)->parts[static_cast<std::size_t>(SipPart::kVias)].has_value());
  EXPECT_FALSE((*again)->parts[static_cast<std::size_t>(SipPart::kAddrs)].has_value());
}

TEST(DistinctRowsTest, KeepsFirstOccurrencesWithSqlDistinctEquality) {
  std::vector<Value> cells = {
      Value::Int(1), Value::Text("a"), Value::Text("1"), Value::Text("a"),
      Value::Int(1), Value::Text("a"), Value{},          Value::Text(""),
      Value{},       Value::Text(""),  Value::Int(1),    Value::Text("a\0b"),
  };
  cells[11].bytes = std::string("a\0b", 3);
  Value pos;
  pos.type = store::ColumnType::kFloat;
  pos.real = 0.0;
  Value neg = pos;
  neg.real = -0.0;
  cells.push_back(pos);
  cells.push_back(Value::Text("z"));
  cells.push_back(neg);
  cells.push_back(Value::Text("z"));
  const RowList rows(cells.data(), 2, cells.size() / 2);
  const auto small = DistinctRows(rows);
  // (1,'a') twice, NULL/'' twice: kept once; '1' is not 1; 0.0 and -0.0 differ.
  ASSERT_EQ(small.size(), 6u);
  EXPECT_EQ(small[0][0].integer, 1);
  EXPECT_EQ(small[1][0].bytes, "1");
  EXPECT_EQ(small[2][0].type, store::ColumnType::kNull);
  EXPECT_EQ(small[3][1].bytes.size(), 3u);
  // The hashed path (many rows) agrees with the pairwise one.
  std::vector<Value> many;
  for (int rep = 0; rep < 5; ++rep) many.insert(many.end(), cells.begin(), cells.end());
  const auto big = DistinctRows(RowList(many.data(), 2, many.size() / 2));
  ASSERT_EQ(big.size(), small.size());
  for (std::size_t i = 0; i < big.size(); ++i) {
    EXPECT_EQ(big[i].data() - many.data(), small[i].data() - cells.data());
  }
}

}  // namespace
}  // namespace honeyvt::tree
