#include "store/logsql_writer.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace honeyvt::store {
namespace {

using domain::EngineResult;
using domain::FileReport;
using honeyvt::testing::TempDir;

const std::string kMd5(32, 'a');

FileReport Report(std::int64_t date) {
  FileReport r;
  r.md5 = kMd5;
  r.sha1 = std::string(40, 'b');
  r.sha256 = std::string(64, 'c');
  r.size = 68;
  r.type_description = "Text";
  r.last_analysis_date = date;
  r.permalink = "https://www.virustotal.com/gui/file/" + r.sha256;
  r.raw_json = R"({"data":{"id":"x"}})";
  r.engines = {
      {"Zed", "Zed", "1", "20240101", "malicious", "EICAR-Test"},
      {"Alpha", "Alpha", "", "", "undetected", std::nullopt},
      {"Lionic", "AegisLab", "", "", "type-unsupported", std::nullopt},
      {"Beta", "Beta", "", "", "harmless", std::nullopt},
      {"Gamma", "Gamma", "", "", "timeout", std::nullopt},
      {"Delta", "Delta", "", "", "suspicious", "Heur.X"},
  };
  return r;
}

struct Fixture {
  TempDir dir;
  FakeClock clock{FromUnixSeconds(std::int64_t{1700000000})};
  std::filesystem::path path = dir / "logsql.sqlite";
  Fixture() { EXPECT_TRUE(Logsql::Create(path)); }
  std::vector<std::string> Rows(const char* sql) {
    auto db = Database::Open(path, {});
    EXPECT_TRUE(db);
    auto stmt = db->Prepare(sql);
    EXPECT_TRUE(stmt) << stmt.error().ToString();
    std::vector<std::string> out;
    while (*stmt->Step()) {
      std::string line;
      for (int i = 0; i < stmt->ColumnCount(); ++i) {
        line += (i ? "|" : "") + (stmt->IsNull(i) ? std::string("NULL") : stmt->Text(i));
      }
      out.push_back(line);
    }
    return out;
  }
};

TEST(LogsqlWriterTest, WritesExactlyAsDionaea) {
  Fixture f;
  auto w = LogsqlWriter::Open(f.path, f.clock);
  ASSERT_TRUE(w) << w.error().ToString();
  auto out = w->Write(Report(1600000000), 3, f.clock.Now());
  ASSERT_TRUE(out) << out.error().ToString();
  EXPECT_EQ(*out, WriteOutcome::kWritten);
  EXPECT_EQ(f.Rows("SELECT virustotal_md5_hash, typeof(virustotal_timestamp), "
                   "virustotal_timestamp, virustotal_permalink FROM virustotals"),
            std::vector<std::string>{kMd5 + "|integer|1600000000|https://www.virustotal.com/gui/"
                                            "file/" + std::string(64, 'c')});
  EXPECT_EQ(f.Rows("SELECT virustotalscan_scanner, virustotalscan_result FROM virustotalscans "
                   "ORDER BY virustotalscan"),
            (std::vector<std::string>{"Zed|EICAR-Test", "Alpha|NULL", "Beta|NULL",
                                      "Delta|Heur.X"}));
  EXPECT_EQ(f.Rows("SELECT positives, total, size FROM honeyvt_reports"),
            std::vector<std::string>{"2|4|68"});
  EXPECT_EQ(f.Rows("SELECT count(*) FROM honeyvt_engine_results"),
            std::vector<std::string>{"6"});
  auto db = Database::Open(f.path, {});
  auto blob = db->Prepare("SELECT raw_json FROM honeyvt_reports");
  ASSERT_TRUE(*blob->Step());
  auto json = DecompressJson(blob->Blob(0));
  ASSERT_TRUE(json);
  EXPECT_EQ(*json, Report(0).raw_json);
}

TEST(LogsqlWriterTest, RerunningAFinishedStoreStepWritesNoSecondRow) {
  Fixture f;
  auto w = LogsqlWriter::Open(f.path, f.clock);
  ASSERT_TRUE(w);
  ASSERT_EQ(*w->Write(Report(1600000000), 3, f.clock.Now()), WriteOutcome::kWritten);
  auto again = LogsqlWriter::Open(f.path, f.clock);  // as after a restart
  ASSERT_TRUE(again);
  ASSERT_EQ(*again->Write(Report(1600000000), 3, f.clock.Now()), WriteOutcome::kAlreadyStored);
  EXPECT_EQ(f.Rows("SELECT count(*) FROM virustotals"), std::vector<std::string>{"1"});
  EXPECT_EQ(f.Rows("SELECT count(*) FROM virustotalscans"), std::vector<std::string>{"4"});
  EXPECT_EQ(f.Rows("SELECT count(*) FROM honeyvt_reports"), std::vector<std::string>{"1"});
}

TEST(LogsqlWriterTest, RefreshReplacesShownRowsAndKeepsHistory) {
  Fixture f;
  auto w = LogsqlWriter::Open(f.path, f.clock);
  ASSERT_TRUE(w);
  ASSERT_EQ(*w->Write(Report(1600000000), 3, f.clock.Now()), WriteOutcome::kWritten);
  FileReport newer = Report(1700000000);
  newer.engines.resize(1);
  ASSERT_EQ(*w->Write(newer, 3, f.clock.Now()), WriteOutcome::kWritten);
  EXPECT_EQ(f.Rows("SELECT virustotal_timestamp FROM virustotals"),
            std::vector<std::string>{"1700000000"});
  EXPECT_EQ(f.Rows("SELECT virustotalscan_scanner FROM virustotalscans"),
            std::vector<std::string>{"Zed"});
  EXPECT_EQ(f.Rows("SELECT analysis_date, virustotal IS NULL FROM honeyvt_reports ORDER BY 1"),
            (std::vector<std::string>{"1600000000|1", "1700000000|0"}));
  // An older analysis arriving late never replaces the newer one shown.
  ASSERT_EQ(*w->Write(Report(1500000000), 3, f.clock.Now()), WriteOutcome::kHistoryOnly);
  EXPECT_EQ(f.Rows("SELECT virustotal_timestamp FROM virustotals"),
            std::vector<std::string>{"1700000000"});
}

TEST(LogsqlWriterTest, RejectsHostileReports) {
  Fixture f;
  auto w = LogsqlWriter::Open(f.path, f.clock);
  ASSERT_TRUE(w);
  FileReport bad = Report(1600000000);
  bad.md5 = "../../etc/passwd";
  EXPECT_EQ(w->Write(bad, 3, f.clock.Now()).error().code, ErrorCode::kCorrupt);
  bad = Report(0);
  EXPECT_EQ(w->Write(bad, 3, f.clock.Now()).error().code, ErrorCode::kCorrupt);
  bad = Report(1600000000);
  bad.engines.push_back(bad.engines[0]);  // duplicate engine key
  bad.md5 = std::string(32, 'd');
  EXPECT_TRUE(w->Write(bad, 3, f.clock.Now()));
  EXPECT_FALSE(DecompressJson("garbage"));
}

TEST(LogsqlWriterTest, WaitsWhileDionaeaHoldsTheLockThenGivesUp) {
  Fixture f;
  auto w = LogsqlWriter::Open(f.path, f.clock,
                              {.busy_timeout = std::chrono::milliseconds(1),
                               .max_wait = std::chrono::seconds(3)});
  ASSERT_TRUE(w);
  auto dionaea = Database::Open(f.path, {.mode = OpenMode::kReadWrite});
  ASSERT_TRUE(dionaea);
  {
    auto tx = Transaction::Begin(*dionaea);
    ASSERT_TRUE(tx);
    const TimePoint start = f.clock.Now();
    auto out = w->Write(Report(1600000000), 3, f.clock.Now());
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().code, ErrorCode::kBusy);
    EXPECT_GE(f.clock.Now() - start, std::chrono::seconds(1));  // it waited (fake time)
  }
  EXPECT_TRUE(w->Write(Report(1600000000), 3, f.clock.Now()));
}

}  // namespace
}  // namespace honeyvt::store
