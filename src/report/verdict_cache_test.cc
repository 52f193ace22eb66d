// The verdict cache (honeyvt_verdicts): used when consistent, completed with new or
// replaced reports, and never trusted when the scan rows changed behind it.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "core/testing.h"
#include "report/report_test_util.h"
#include "report/reports.h"
#include "report/verdict_cache.h"
#include "report/vt_data_gen.h"
#include "store/sqlite.h"

namespace honeyvt::report {
namespace {

using testing::ExecSql;
using testing::Rows;
using Lines = std::vector<std::vector<std::string>>;

class VerdictCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<honeyvt::testing::TempDir>();
    base_ = *dir_ / "base.sqlite";
    testing::BuildFullFixture(base_);
    testing::VtDataOptions options;
    options.samples = 150;
    options.seed = 7;
    ASSERT_TRUE(testing::GenerateVtData(base_, options));
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // A fresh copy of the generated database with the cache built.
  void SetUp() override {
    path_ = *dir_ / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                     ".sqlite");
    std::filesystem::copy_file(base_, path_, std::filesystem::copy_options::overwrite_existing);
    auto db = store::Database::Open(path_, {.mode = store::OpenMode::kReadWrite});
    ASSERT_TRUE(db);
    auto cached = RebuildVerdictCache(*db);
    ASSERT_TRUE(cached) << cached.error().ToString();
    EXPECT_GT(*cached, 100);
  }

  std::optional<VerdictCache> Load(std::string* why) {
    auto db = store::Database::Open(path_, {.mode = store::OpenMode::kReadOnly});
    EXPECT_TRUE(db);
    auto cache = LoadVerdictCache(*db, why);
    EXPECT_TRUE(cache) << cache.error().ToString();
    return cache ? *cache : std::nullopt;
  }

  // families + summary as text rows, and the notes the source gathered.
  Lines Report(std::vector<std::string>* notes = nullptr) {
    auto source = Source::Open(path_, {});
    EXPECT_TRUE(source);
    auto families = Families(*source);
    auto summary = Summary(*source);
    EXPECT_TRUE(families && summary);
    Lines out = Rows(*families);
    for (std::size_t t = 0; t < summary->tables.size(); ++t) {
      for (auto& row : Rows(*summary, t)) out.push_back(row);
    }
    if (notes) *notes = source->notes();
    return out;
  }

  // The same reports computed from the scan rows only (cache dropped).
  Lines Uncached() {
    const auto copy = path_.string() + ".nocache";
    std::filesystem::copy_file(path_, copy, std::filesystem::copy_options::overwrite_existing);
    ExecSql(copy, "DROP TABLE honeyvt_verdicts");
    auto source = Source::Open(copy, {});
    EXPECT_TRUE(source);
    auto families = Families(*source);
    auto summary = Summary(*source);
    EXPECT_TRUE(families && summary);
    Lines out = Rows(*families);
    for (std::size_t t = 0; t < summary->tables.size(); ++t) {
      for (auto& row : Rows(*summary, t)) out.push_back(row);
    }
    return out;
  }

  // Replaces md5's report the way store's LogsqlWriter does: scan rows and virustotals
  // row deleted, a new row (new analysis date) with new scan rows appended.
  void ReplaceReport(const std::string& md5, const char* name) {
    ExecSql(path_,
            "DELETE FROM virustotalscans WHERE virustotal IN (SELECT virustotal FROM "
            "virustotals WHERE virustotal_md5_hash = '" +
                md5 +
                "');"
                "DELETE FROM virustotals WHERE virustotal_md5_hash = '" +
                md5 +
                "';"
                "INSERT INTO virustotals (virustotal_md5_hash, virustotal_timestamp, "
                "virustotal_permalink) VALUES ('" +
                md5 +
                "', 1999999999, 'p');"
                "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, "
                "virustotalscan_result) SELECT (SELECT virustotal FROM virustotals WHERE "
                "virustotal_md5_hash = '" +
                md5 + "'), v, '" + std::string(name) +
                "' FROM (SELECT 'A' AS v UNION SELECT 'B' UNION SELECT 'C');");
  }

  std::string SampleWithReport(const char* order) {
    auto db = store::Database::Open(path_, {});
    auto stmt = db->Prepare(std::string("SELECT virustotal_md5_hash FROM virustotals WHERE "
                                        "virustotal_md5_hash IN (SELECT download_md5_hash "
                                        "FROM downloads) ORDER BY virustotal ") +
                            order + " LIMIT 1");
    EXPECT_TRUE(stmt && *stmt->Step());
    return stmt->Text(0);
  }

  static inline std::unique_ptr<honeyvt::testing::TempDir> dir_;
  static inline std::filesystem::path base_;
  std::filesystem::path path_;
};

TEST_F(VerdictCacheTest, FreshCacheIsUsedAndMatchesTheScanRows) {
  std::string why;
  auto cache = Load(&why);
  ASSERT_TRUE(cache.has_value()) << why;
  EXPECT_EQ(cache->retallied, 0);
  EXPECT_EQ(Report(), Uncached());
  // Reports really read the cache: a label changed in it shows up.
  ExecSql(path_, "UPDATE honeyvt_verdicts SET family = 'cachedlabel' WHERE positives > 5");
  bool seen = false;
  for (const auto& row : Report()) seen = seen || (row.size() > 1 && row[1] == "cachedlabel");
  EXPECT_TRUE(seen);
}

TEST_F(VerdictCacheTest, ReplacedReportIsRetalliedFromItsScanRows) {
  const std::string md5 = SampleWithReport("ASC");
  ReplaceReport(md5, "Worm.Win32.Zzfreshfam.a");
  std::string why;
  auto cache = Load(&why);
  ASSERT_TRUE(cache.has_value()) << why;
  EXPECT_EQ(cache->retallied, 1);
  const Lines got = Report();
  EXPECT_EQ(got, Uncached());
  bool seen = false;
  for (const auto& row : got) seen = seen || (row[0] == md5 && row[1] == "zzfreshfam");
  EXPECT_TRUE(seen);
}

TEST_F(VerdictCacheTest, LastReportReplacedUnderTheSameIdIsRetallied) {
  // The greatest virustotal id is reused by SQLite after its row is deleted.
  const std::string md5 = SampleWithReport("DESC");
  ReplaceReport(md5, "Trojan.Win32.Yyreused.b");
  std::string why;
  auto cache = Load(&why);
  ASSERT_TRUE(cache.has_value()) << why;
  EXPECT_EQ(cache->retallied, 1);
  EXPECT_EQ(Report(), Uncached());
}

TEST_F(VerdictCacheTest, ScanRowAddedToACachedReportMakesItStale) {
  // dionaea's old module (or anything else) appended a row honeyvt never saw.
  ExecSql(path_,
          "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, "
          "virustotalscan_result) SELECT min(virustotal), 'Extra', 'Worm.Extra' FROM virustotals");
  std::string why;
  EXPECT_FALSE(Load(&why).has_value());
  EXPECT_NE(why.find("stale"), std::string::npos) << why;
  std::vector<std::string> notes;
  EXPECT_EQ(Report(&notes), Uncached());
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("stale"), std::string::npos);
}

TEST_F(VerdictCacheTest, ScanRowDeletedOrChangedCountIsStale) {
  ExecSql(path_,
          "DELETE FROM virustotalscans WHERE rowid = (SELECT min(rowid) FROM virustotalscans "
          "WHERE virustotalscan_result IS NOT NULL)");
  std::string why;
  EXPECT_FALSE(Load(&why).has_value());
  EXPECT_EQ(Report(), Uncached());
}

TEST_F(VerdictCacheTest, TopScanRowsReplacedInPlaceAreStale) {
  // The last scan row deleted and a new one appended: the rowid is reused and the count
  // is unchanged, but the new row belongs to a cached report.
  ExecSql(path_,
          "CREATE TEMP TABLE last AS SELECT * FROM virustotalscans WHERE rowid = "
          "(SELECT max(rowid) FROM virustotalscans);"
          "DELETE FROM virustotalscans WHERE rowid = (SELECT virustotalscan FROM temp.last);"
          "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, "
          "virustotalscan_result) SELECT min(virustotal), 'X', 'Worm.Moved' FROM virustotals");
  std::string why;
  EXPECT_FALSE(Load(&why).has_value());
  EXPECT_EQ(Report(), Uncached());
}

TEST_F(VerdictCacheTest, OtherVersionOrManyChangesAreNotUsed) {
  ExecSql(path_, "UPDATE honeyvt_meta SET value = '999' WHERE key = 'verdict_cache_version'");
  std::string why;
  EXPECT_FALSE(Load(&why).has_value());
  EXPECT_NE(why.find("version"), std::string::npos);
  EXPECT_EQ(Report(), Uncached());
  ExecSql(path_,
          "UPDATE honeyvt_meta SET value = '1' WHERE key = 'verdict_cache_version';"
          "UPDATE virustotals SET virustotal_timestamp = virustotal_timestamp + 1");
  EXPECT_FALSE(Load(&why).has_value());
  EXPECT_EQ(Report(), Uncached());
}

// aliases/signatures PATTERN read the cached name list plus the re-tallied reports' names.
TEST_F(VerdictCacheTest, PatternSelectionUsesNamesCacheAndNewReports) {
  auto aliases = [&](const std::filesystem::path& path, const char* pattern) {
    auto source = Source::Open(path, {});
    EXPECT_TRUE(source);
    auto doc = Aliases(*source, {pattern, false});
    EXPECT_TRUE(doc);
    return doc ? Rows(*doc) : Lines{};
  };
  const std::string md5 = SampleWithReport("ASC");
  ReplaceReport(md5, "Worm.Win32.Zzfreshfam.a");
  std::string why;
  ASSERT_TRUE(Load(&why).has_value()) << why;
  EXPECT_EQ(aliases(path_, "zzfresh"), (Lines{{"Worm.Win32.Zzfreshfam.a", "1", "3"}}));
  auto signatures = [&](const std::filesystem::path& path, const char* pattern, bool label) {
    auto source = Source::Open(path, {});
    EXPECT_TRUE(source);
    auto doc = Signatures(*source, {pattern, label});
    EXPECT_TRUE(doc);
    return doc ? Rows(*doc) : Lines{};
  };
  const auto copy = path_.string() + ".nonames";
  std::filesystem::copy_file(path_, copy, std::filesystem::copy_options::overwrite_existing);
  ExecSql(copy, "DROP TABLE honeyvt_names");  // no usable cache: the scan table is read
  for (const char* pattern : {"conficker", "kido", "sdbot", "zzfresh", "", "%"}) {
    EXPECT_EQ(aliases(path_, pattern), aliases(copy, pattern)) << pattern;
    EXPECT_EQ(signatures(path_, pattern, false), signatures(copy, pattern, false)) << pattern;
    EXPECT_EQ(signatures(path_, pattern, true), signatures(copy, pattern, true)) << pattern;
  }
  // The cached rows are really read: names renamed in the dictionary show up.
  ExecSql(path_, "UPDATE honeyvt_names SET name = 'Renamed.' || id WHERE name LIKE '%kido%'");
  EXPECT_TRUE(aliases(path_, "kido").empty());
  EXPECT_FALSE(aliases(path_, "renamed").empty());
  EXPECT_FALSE(aliases(copy, "kido").empty());
}

TEST_F(VerdictCacheTest, DamagedRowListIsNotUsed) {
  const auto copy = path_.string() + ".orig";
  std::filesystem::copy_file(path_, copy, std::filesystem::copy_options::overwrite_existing);
  ExecSql(copy, "DROP TABLE honeyvt_verdicts");
  ExecSql(path_,
          "UPDATE honeyvt_verdicts SET rows = x'ff' WHERE virustotal = "
          "(SELECT min(virustotal) FROM honeyvt_verdicts)");
  auto db = store::Database::Open(path_, {.mode = store::OpenMode::kReadOnly});
  ASSERT_TRUE(db);
  std::string why;
  auto cache = LoadVerdictCache(*db, &why, /*with_rows=*/true);
  ASSERT_TRUE(cache);
  EXPECT_FALSE(cache->has_value());
  EXPECT_NE(why.find("damaged"), std::string::npos) << why;
  auto source = Source::Open(path_, {});
  auto plain = Source::Open(copy, {});
  ASSERT_TRUE(source && plain);
  auto got = Signatures(*source, {"conficker", false});
  auto want = Signatures(*plain, {"conficker", false});
  ASSERT_TRUE(got && want);
  EXPECT_EQ(Rows(*got), Rows(*want));
  EXPECT_FALSE(source->notes().empty());
}

// aliases reads the scope without connection times; families on the same Source must
// read them (first_seen) rather than reuse that scope.
TEST_F(VerdictCacheTest, ScopeWithoutTimesIsReadAgainWhenTimesAreNeeded) {
  auto fresh = Source::Open(path_, {});
  ASSERT_TRUE(fresh);
  auto want = Families(*fresh);
  ASSERT_TRUE(want);
  auto source = Source::Open(path_, {});
  ASSERT_TRUE(source);
  ASSERT_TRUE(Aliases(*source, {"conficker", false}));
  ASSERT_TRUE(Aliases(*source, {"conficker", true}));
  auto got = Families(*source);
  ASSERT_TRUE(got);
  EXPECT_EQ(Rows(*got), Rows(*want));
  EXPECT_NE(Rows(*got).at(0).at(5), "NULL");
}

TEST_F(VerdictCacheTest, NoCacheTableIsFine) {
  ExecSql(path_, "DROP TABLE honeyvt_verdicts");
  std::string why;
  EXPECT_FALSE(Load(&why).has_value());
  std::vector<std::string> notes;
  Report(&notes);
  EXPECT_TRUE(notes.empty());  // no cache is normal, not worth a note
}

}  // namespace
}  // namespace honeyvt::report
