// The report replica gives the report module the same rows as logsql itself, through
// appends, refreshed reports (deleted and re-inserted, reusing the greatest rowid), links
// of child connections, edits of old rows and a new file in the same place.
#include "web/replica.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/testing.h"
#include "report/format.h"
#include "report/reports.h"
#include "report/vt_data_gen.h"
#include "store/logsql.h"

namespace honeyvt::web {
namespace {

void Exec(const std::filesystem::path& path, const std::string& sql) {
  auto db = store::Database::Open(path, {.mode = store::OpenMode::kReadWrite});
  ASSERT_TRUE(db.has_value()) << db.error().ToString();
  auto st = db->Exec(sql);
  ASSERT_TRUE(st.has_value()) << st.error().ToString() << "\n" << sql;
}

std::int64_t One(const std::filesystem::path& path, const std::string& sql) {
  auto db = store::Database::Open(path, {});
  auto s = db->Prepare(sql);
  EXPECT_TRUE(s.has_value());
  auto row = s->Step();
  return row && *row ? s->Int64(0) : -1;
}

void Generate(const std::filesystem::path& logsql, std::int64_t samples, std::uint64_t seed) {
  report::testing::VtDataOptions o;
  o.samples = samples;
  o.seed = seed;
  o.second_report = 0.2;
  o.vendor_absent = 0.05;
  o.without_report = 0.1;
  o.days = 30;
  auto stats = report::testing::GenerateVtData(logsql, o);
  ASSERT_TRUE(stats.has_value()) << stats.error().ToString();
}

// Every report (JSON as the CLI prints it), with and without a window.
std::string AllReports(const std::filesystem::path& db) {
  std::string out;
  for (int windowed = 0; windowed < 2; ++windowed) {
    report::Filter filter;
    if (windowed == 1) filter.since = 1286470647.0 + 10 * 86400;
    auto run = [&](const char* name, auto&& make) {
      auto source = report::Source::Open(db, filter);
      ASSERT_TRUE(source.has_value()) << source.error().ToString();
      auto doc = make(*source);
      ASSERT_TRUE(doc.has_value()) << name << ": " << doc.error().ToString();
      std::ostringstream text;
      report::Render(*doc, report::Format::kJson, text);
      out += std::string("== ") + name + "\n" + text.str();
    };
    run("summary", [](report::Source& s) { return report::Summary(s); });
    run("families", [](report::Source& s) { return report::Families(s); });
    run("undetected", [](report::Source& s) {
      return report::Undetected(s, {"Kaspersky", false, false});
    });
    run("undetected absent", [](report::Source& s) {
      return report::Undetected(s, {"ClamAV", false, true});
    });
    run("undetected vuln", [](report::Source& s) {
      return report::Undetected(s, {"Sophos", true, false});
    });
    run("aliases", [](report::Source& s) { return report::Aliases(s, {"conficker", false}); });
    run("signatures", [](report::Source& s) { return report::Signatures(s, {"sdbot", true}); });
  }
  return out;
}

class ReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store::Logsql::Create(logsql_).has_value());
    Generate(logsql_, 300, 7);
  }
  std::unique_ptr<ReportReplica> Open(ReplicaOptions o = {.chunk_rows = 97, .tail_rows = 40}) {
    auto r = ReportReplica::Open(dir_ / "replica.sqlite", pool_, {}, o);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    return r ? std::move(*r) : nullptr;
  }
  // Passes until a whole sweep has gone by without a change.
  void Settle(ReportReplica& r, int max_passes = 500) {
    int quiet = 0;
    for (int i = 0; i < max_passes && quiet < 60; ++i) {
      auto stats = r.Sync();
      ASSERT_TRUE(stats.has_value()) << stats.error().ToString();
      quiet = stats->changed == 0 && stats->caught_up ? quiet + 1 : 0;
    }
    ASSERT_TRUE(r.caught_up());
  }

  honeyvt::testing::TempDir dir_;
  std::filesystem::path logsql_ = dir_ / "dionaea.sqlite";
  Pool pool_{[this] { return OpenLogsqlReader(logsql_, std::chrono::milliseconds(100)); }, logsql_};
};

TEST_F(ReplicaTest, TheFirstCopyGivesTheReportsOfLogsql) {
  auto r = Open();
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->caught_up());
  Settle(*r);
  EXPECT_EQ(AllReports(r->path()), AllReports(logsql_));
  // Only what the reports read is copied, and the report indexes exist.
  EXPECT_EQ(One(r->path(), "SELECT count(*) FROM connections WHERE remote_host IS NOT NULL"), 0);
  EXPECT_EQ(One(r->path(), "SELECT count(*) FROM sqlite_master WHERE name LIKE 'honeyvt_%_idx'"),
            3);
  EXPECT_GT(r->generation(), 0);
}

TEST_F(ReplicaTest, APassReadsAtMostItsChunksPerTable) {
  auto r = Open({.chunk_rows = 50, .tail_rows = 10, .max_chunks = 2});
  auto stats = r->Sync();
  ASSERT_TRUE(stats.has_value());
  // 7 tables; per table: 2 appended chunks, a sweep chunk (nothing before the first pass).
  EXPECT_LE(stats->rows_read, 7 * 3 * 50);
  EXPECT_FALSE(stats->caught_up);
  EXPECT_EQ(r->tables()[2].table, "connections");
  EXPECT_EQ(r->tables()[2].cursor, 100);
}

TEST_F(ReplicaTest, FollowsNewRowsRefreshedReportsLinksAndEdits) {
  auto r = Open();
  Settle(*r);
  const std::int64_t generation = r->generation();
  // New attacks and reports (dionaea appends; a second report of a sample is kept).
  Generate(logsql_, 40, 8);
  // honeyvt's writer refreshes a sample: its reports and their scan rows are deleted and
  // the new report appended. First a sample in the middle of the table...
  const std::string refresh =
      "DELETE FROM virustotalscans WHERE virustotal IN (SELECT virustotal FROM virustotals "
      "WHERE virustotal_md5_hash = (SELECT virustotal_md5_hash FROM virustotals WHERE "
      "virustotal = %ID%));"
      "CREATE TEMP TABLE gone AS SELECT virustotal_md5_hash AS md5 FROM virustotals "
      "WHERE virustotal = %ID%;"
      "DELETE FROM virustotals WHERE virustotal_md5_hash = (SELECT md5 FROM temp.gone);"
      "INSERT INTO virustotals (virustotal_md5_hash, virustotal_timestamp, "
      "virustotal_permalink) SELECT md5, 1300000000, 'https://www.virustotal.com/gui/file/x' "
      "FROM temp.gone;"
      "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, virustotalscan_result) "
      "VALUES (last_insert_rowid(), 'Kaspersky', NULL), (last_insert_rowid(), 'ClamAV', "
      "'Win.Worm.Refreshed'), (last_insert_rowid(), 'Sophos', NULL);"
      "DROP TABLE temp.gone;";
  auto with_id = [&](std::int64_t id) {
    std::string sql = refresh;
    for (auto at = sql.find("%ID%"); at != std::string::npos; at = sql.find("%ID%")) {
      sql.replace(at, 4, std::to_string(id));
    }
    return sql;
  };
  Exec(logsql_, with_id(5));
  Settle(*r);
  EXPECT_GT(r->generation(), generation);
  EXPECT_EQ(AllReports(r->path()), AllReports(logsql_));
  // ...then the newest report: SQLite gives its rowids (report and scan rows) out again.
  const std::int64_t top = One(logsql_, "SELECT max(virustotal) FROM virustotals");
  Exec(logsql_, with_id(top));
  EXPECT_EQ(One(logsql_, "SELECT max(virustotal) FROM virustotals"), top);
  // A child connection linked to another attack, a recent one and an old one (only the
  // sweep sees that), and a hand edit of an old download.
  Exec(logsql_,
       "UPDATE connections SET connection_root = 3 WHERE connection = (SELECT max(connection) "
       "FROM connections);"
       "UPDATE connections SET connection_root = 1, connection_timestamp = 1286470000 "
       "WHERE connection = 9;"
       "UPDATE downloads SET download_md5_hash = '00000000000000000000000000000000' "
       "WHERE download = 2;");
  Settle(*r);
  EXPECT_EQ(AllReports(r->path()), AllReports(logsql_));
  EXPECT_EQ(One(r->path(), "SELECT connection_root FROM connections WHERE connection = 9"), 1);
}

TEST_F(ReplicaTest, ANewLogsqlInTheSamePlaceIsCopiedAgain) {
  auto r = Open();
  Settle(*r);
  std::filesystem::remove(logsql_);
  ASSERT_TRUE(store::Logsql::Create(logsql_).has_value());
  Generate(logsql_, 20, 9);
  Settle(*r);
  EXPECT_EQ(AllReports(r->path()), AllReports(logsql_));
  EXPECT_EQ(One(r->path(), "SELECT count(*) FROM connections"),
            One(logsql_, "SELECT count(*) FROM connections"));
}

TEST_F(ReplicaTest, AReplicaOfAnotherLayoutIsRebuilt) {
  {
    auto r = Open();
    Settle(*r);
  }
  Exec(dir_ / "replica.sqlite", "UPDATE honeyvt_replica_meta SET value = 0 WHERE key = 'version'");
  auto r = Open();
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->caught_up());
  EXPECT_EQ(One(r->path(), "SELECT count(*) FROM connections"), 0);
  Settle(*r);
  EXPECT_EQ(AllReports(r->path()), AllReports(logsql_));
}

}  // namespace
}  // namespace honeyvt::web
