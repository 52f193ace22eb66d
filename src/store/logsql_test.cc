#include "store/logsql.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "store/logsql_testing.h"

namespace honeyvt::store {
namespace {

using honeyvt::testing::FixturesDir;
using honeyvt::testing::ReadFile;
using honeyvt::testing::TempDir;

// The canonical dump without its three leading "--" header comment lines.
std::string CanonicalDump() {
  std::string text = ReadFile(FixturesDir() / "dionaea" / "logsql_head_schema_seed.sql");
  while (text.rfind("--", 0) == 0) text.erase(0, text.find('\n') + 1);
  return text;
}

TEST(LogsqlTest, CreatedSchemaEqualsDionaeaMasterDump) {
  TempDir dir;
  ASSERT_TRUE(Logsql::Create(dir / "new.sqlite"));
  EXPECT_EQ(testing::Dump(dir / "new.sqlite"), CanonicalDump());
}

TEST(LogsqlTest, CreateRefusesExistingFile) {
  TempDir dir;
  honeyvt::testing::WriteFile(dir / "x.sqlite", "keep me");
  auto r = Logsql::Create(dir / "x.sqlite");
  ASSERT_FALSE(r);
  EXPECT_EQ(ReadFile(dir / "x.sqlite"), "keep me");
}

TEST(LogsqlTest, TriggerMakesNewConnectionsTheirOwnRoot) {
  TempDir dir;
  auto l = Logsql::Create(dir / "t.sqlite");
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->db().Exec("INSERT INTO connections (connection_type) VALUES ('accept')"));
  auto s = l->db().Prepare("SELECT connection_root, connection_parent IS NULL FROM connections");
  ASSERT_TRUE(s && *s->Step());
  EXPECT_EQ(s->Int64(0), 1);
  EXPECT_EQ(s->Int64(1), 1);
}

struct EraCase {
  testing::Era era;
  bool emu_old;
  bool mysql, sip, mqtt;
};

class LogsqlEraTest : public ::testing::TestWithParam<EraCase> {};

TEST_P(LogsqlEraTest, OpensReadOnlyAndChangesNothing) {
  const EraCase& c = GetParam();
  TempDir dir;
  testing::BuildEraDatabase(dir / "era.sqlite", c.era, c.emu_old);
  const std::string before = ReadFile(dir / "era.sqlite");
  {
    auto l = Logsql::Open(dir / "era.sqlite", OpenMode::kReadOnly);
    ASSERT_TRUE(l) << l.error().ToString();
    EXPECT_EQ(l->era().has_mysql, c.mysql);
    EXPECT_EQ(l->era().has_sip, c.sip);
    EXPECT_EQ(l->era().has_mqtt, c.mqtt);
    EXPECT_EQ(l->era().has_emu_services_old, c.emu_old);
    EXPECT_FALSE(l->era().has_honeyvt_tables);
    auto ts = l->db().Prepare("SELECT typeof(connection_timestamp) FROM connections");
    ASSERT_TRUE(ts && *ts->Step());
    EXPECT_EQ(ts->Text(0), "real");
    EXPECT_FALSE(l->db().Exec("CREATE TABLE should_fail(x)"));  // read-only really
  }
  EXPECT_EQ(ReadFile(dir / "era.sqlite"), before);
  EXPECT_FALSE(std::filesystem::exists(dir / "era.sqlite-journal"));
}

INSTANTIATE_TEST_SUITE_P(
    Eras, LogsqlEraTest,
    ::testing::Values(EraCase{testing::Era::k2010, false, false, false, false},
                      EraCase{testing::Era::k2010, true, false, false, false},
                      EraCase{testing::Era::k2011, false, true, true, false},
                      EraCase{testing::Era::kMaster, false, true, true, true},
                      EraCase{testing::Era::kMaster, true, true, true, true}),
    [](const auto& param_info) { return "Case" + std::to_string(param_info.index); });

TEST(LogsqlTest, ForeignSqliteFileIsRejectedByName) {
  TempDir dir;
  {
    auto db = Database::Open(dir / "other.sqlite", {.mode = OpenMode::kCreate});
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Exec("CREATE TABLE cookies(x)"));
  }
  auto l = Logsql::Open(dir / "other.sqlite", OpenMode::kReadOnly);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(l.error().message.find("other.sqlite"), std::string::npos);
  EXPECT_NE(l.error().message.find("not a dionaea logsql database"), std::string::npos);
}

TEST(LogsqlTest, HoneyvtTablesAddOnlyNewTables) {
  TempDir dir;
  testing::BuildEraDatabase(dir / "e.sqlite", testing::Era::k2010, true);
  const std::string before = testing::Dump(dir / "e.sqlite");
  auto l = Logsql::Open(dir / "e.sqlite", OpenMode::kReadWrite);
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->EnsureHoneyvtTables());
  ASSERT_TRUE(l->EnsureHoneyvtTables());  // idempotent
  EXPECT_TRUE(l->era().has_honeyvt_tables);
  auto jm = l->db().Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(jm && *jm->Step());
  EXPECT_EQ(jm->Text(0), "delete");
  auto uv = l->db().Prepare("PRAGMA user_version");
  ASSERT_TRUE(uv && *uv->Step());
  EXPECT_EQ(uv->Int64(0), 0);
  // Every line of the original dump is still there, in order; only honeyvt_ lines are new.
  const std::string after = testing::Dump(dir / "e.sqlite");
  std::string filtered;
  std::size_t pos = 0;
  bool in_honeyvt = false;
  while (pos < after.size()) {
    std::size_t nl = after.find('\n', pos);
    std::string line = after.substr(pos, nl - pos + 1);
    pos = nl + 1;
    if (line.find("honeyvt_") != std::string::npos) {
      in_honeyvt = line.find(");") == std::string::npos && line.rfind("CREATE TABLE", 0) == 0;
      continue;
    }
    if (in_honeyvt) {
      if (line.find(");") != std::string::npos || line.find(") WITHOUT ROWID;") != std::string::npos)
        in_honeyvt = false;
      continue;
    }
    filtered += line;
  }
  EXPECT_EQ(filtered, before);
}

}  // namespace
}  // namespace honeyvt::store
