#include "store/sqlite.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/testing.h"

namespace honeyvt::store {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(DatabaseTest, ReadOnlyOpenOfMissingFileFailsAndCreatesNothing) {
  TempDir dir;
  auto db = Database::Open(dir / "missing.sqlite", {.mode = OpenMode::kReadOnly});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kNotFound);
  EXPECT_NE(db.error().message.find("missing.sqlite"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.sqlite"));
}

TEST(DatabaseTest, NonSqliteFileIsCorrupt) {
  TempDir dir;
  WriteFile(dir / "text.sqlite", "this is not a database, just some text that is long enough\n");
  auto db = Database::Open(dir / "text.sqlite", {.mode = OpenMode::kReadOnly});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(db.error().message.find("text.sqlite"), std::string::npos);
}

TEST(DatabaseTest, TruncatedDatabaseIsCorrupt) {
  TempDir dir;
  {
    auto db = Database::Open(dir / "t.sqlite", {.mode = OpenMode::kCreate});
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (randomblob(100000));"));
  }
  std::string bytes = testing::ReadFile(dir / "t.sqlite");
  // Keep the header but scramble the page after it.
  for (std::size_t i = 100; i < 4096 && i < bytes.size(); ++i) bytes[i] = '\xAA';
  WriteFile(dir / "t.sqlite", bytes);
  auto db = Database::Open(dir / "t.sqlite", {.mode = OpenMode::kReadOnly});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kCorrupt);
}

TEST(DatabaseTest, DirectoryAndUnreadableFileAreClearErrors) {
  TempDir dir;
  auto d = Database::Open(dir.path(), {.mode = OpenMode::kReadOnly});
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("directory"), std::string::npos);
  if (geteuid() != 0) {  // root reads anything
    WriteFile(dir / "locked.sqlite", "x");
    chmod((dir / "locked.sqlite").c_str(), 0);
    auto l = Database::Open(dir / "locked.sqlite", {.mode = OpenMode::kReadOnly});
    ASSERT_FALSE(l);
    EXPECT_EQ(l.error().code, ErrorCode::kIo);
  }
}

TEST(DatabaseTest, BoundParametersAreNeverSql) {
  TempDir dir;
  auto db = Database::Open(dir / "p.sqlite", {.mode = OpenMode::kCreate});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Exec("CREATE TABLE t(a TEXT, b INTEGER, c REAL, d BLOB)"));
  auto ins = db->Prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
  ASSERT_TRUE(ins);
  ins->BindAll("x'); DROP TABLE t; --", std::int64_t{7}, 2.5);
  ins->BindBlob(4, std::string("\0\1", 2));
  ASSERT_TRUE(ins->Run());
  auto sel = db->Prepare("SELECT a, b, c, d, typeof(d) FROM t");
  ASSERT_TRUE(sel);
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->Text(0), "x'); DROP TABLE t; --");
  EXPECT_EQ(sel->Int64(1), 7);
  EXPECT_DOUBLE_EQ(sel->Double(2), 2.5);
  EXPECT_EQ(sel->Blob(3), std::string("\0\1", 2));
  EXPECT_EQ(sel->Type(3), ColumnType::kBlob);
  EXPECT_FALSE(*sel->Step());
}

TEST(TransactionTest, RollsBackUnlessCommitted) {
  TempDir dir;
  auto db = Database::Open(dir / "tx.sqlite", {.mode = OpenMode::kCreate, .owned = true});
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)"));
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)"));
  }  // no commit
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(tx->Commit());
  }
  auto sel = db->Prepare("SELECT group_concat(x) FROM t");
  ASSERT_TRUE(sel && *sel->Step());
  EXPECT_EQ(sel->Text(0), "2");
}

TEST(DatabaseTest, OwnedDatabaseUsesWalAndFullSync) {
  TempDir dir;
  auto db = Database::Open(dir / "own.sqlite", {.mode = OpenMode::kCreate, .owned = true});
  ASSERT_TRUE(db);
  auto jm = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(jm && *jm->Step());
  EXPECT_EQ(jm->Text(0), "wal");
  auto sync = db->Prepare("PRAGMA synchronous");
  ASSERT_TRUE(sync && *sync->Step());
  EXPECT_EQ(sync->Int64(0), 2);  // FULL
}

TEST(DatabaseTest, BusyLockIsReportedAsBusyAfterTimeout) {
  TempDir dir;
  auto a = Database::Open(dir / "b.sqlite", {.mode = OpenMode::kCreate});
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->Exec("CREATE TABLE t(x)"));
  auto b = Database::Open(dir / "b.sqlite",
                          {.mode = OpenMode::kReadWrite, .busy_timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(b);
  auto tx = Transaction::Begin(*a);
  ASSERT_TRUE(tx);
  auto other = Transaction::Begin(*b);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kBusy);
}

}  // namespace
}  // namespace honeyvt::store
