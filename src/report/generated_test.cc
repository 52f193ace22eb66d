// Reports on generated VirusTotal data checked against a brute-force oracle that reads
// the raw tables into memory and counts with plain C++.
#include <algorithm>
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/strings.h"
#include "core/testing.h"
#include "report/report_test_util.h"
#include "report/reports.h"
#include "report/vt_data_gen.h"
#include "store/sqlite.h"

namespace honeyvt::report {
namespace {

using testing::Rows;
using Line = std::vector<std::string>;

struct Scan {
  std::int64_t vt;
  std::string scanner;
  std::optional<std::string> result;
};

// Everything the oracle needs, read without any join.
struct Raw {
  std::map<std::int64_t, std::pair<std::string, std::int64_t>> reports;  // id -> md5, ts
  std::vector<Scan> scans;
  std::vector<std::pair<std::int64_t, std::string>> downloads;  // connection, md5
  std::map<std::int64_t, std::int64_t> root;                    // connection -> root
  std::multimap<std::int64_t, std::pair<std::string, std::int64_t>> requests;
  std::map<std::string, std::int64_t> service_by_uuid;
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> vuln;
};

template <typename F>
void ForEach(store::Database& db, const char* sql, F f) {
  auto stmt = db.Prepare(sql);
  ASSERT_TRUE(stmt);
  while (*stmt->Step()) f(*stmt);
}

Raw ReadRaw(const std::filesystem::path& path) {
  Raw raw;
  auto db = store::Database::Open(path, {});
  EXPECT_TRUE(db);
  ForEach(*db, "SELECT virustotal, virustotal_md5_hash, virustotal_timestamp FROM virustotals",
          [&](store::Statement& s) {
            raw.reports[s.Int64(0)] = {s.Text(1), s.Int64(2)};
          });
  ForEach(*db,
          "SELECT virustotal, virustotalscan_scanner, virustotalscan_result FROM virustotalscans",
          [&](store::Statement& s) {
            raw.scans.push_back({s.Int64(0), s.Text(1), s.OptText(2)});
          });
  ForEach(*db, "SELECT connection, download_md5_hash FROM downloads",
          [&](store::Statement& s) { raw.downloads.emplace_back(s.Int64(0), s.Text(1)); });
  ForEach(*db, "SELECT connection, connection_root FROM connections",
          [&](store::Statement& s) { raw.root[s.Int64(0)] = s.Int64(1); });
  ForEach(*db, "SELECT connection, dcerpcrequest_uuid, dcerpcrequest_opnum FROM dcerpcrequests",
          [&](store::Statement& s) {
            raw.requests.insert({s.Int64(0), {s.Text(1), s.Int64(2)}});
          });
  ForEach(*db, "SELECT dcerpcservice, dcerpcservice_uuid FROM dcerpcservices",
          [&](store::Statement& s) { raw.service_by_uuid[s.Text(1)] = s.Int64(0); });
  ForEach(*db,
          "SELECT dcerpcservice, dcerpcserviceop_opnum, dcerpcserviceop_vuln FROM dcerpcserviceops",
          [&](store::Statement& s) {
            raw.vuln[{s.Int64(0), s.Int64(1)}] = s.Text(2);
          });
  return raw;
}

bool Named(const Scan& s) { return s.result && !s.result->empty(); }

class GeneratedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new honeyvt::testing::TempDir();
    path_ = *dir_ / "gen.sqlite";
    testing::BuildFullFixture(path_);
    testing::VtDataOptions options;
    options.samples = 600;
    options.seed = 42;
    auto stats = testing::GenerateVtData(path_, options);
    ASSERT_TRUE(stats) << stats.error().ToString();
    stats_ = *stats;
    raw_ = new Raw(ReadRaw(path_));
  }
  static void TearDownTestSuite() {
    delete raw_;
    delete dir_;
  }
  static inline honeyvt::testing::TempDir* dir_ = nullptr;
  static inline std::filesystem::path path_;
  static inline testing::VtDataStats stats_;
  static inline Raw* raw_ = nullptr;
};

TEST_F(GeneratedTest, GeneratorWroteRealisticVolumes) {
  EXPECT_EQ(stats_.samples, 600);
  EXPECT_GT(stats_.samples_with_report, 500);
  EXPECT_GT(stats_.downloads, 900);
  // ~70 vendors per report.
  EXPECT_GT(stats_.scans, stats_.reports * 65);
  EXPECT_LT(stats_.scans, stats_.reports * 73);
  EXPECT_EQ(static_cast<std::int64_t>(raw_->scans.size()), stats_.scans + 11);  // + fixture
}

TEST_F(GeneratedTest, AliasesMatchesTheOracle) {
  std::set<std::string> downloaded;
  for (const auto& [conn, md5] : raw_->downloads) downloaded.insert(md5);
  for (const char* pattern : {"kido", "Conficker", "rimecud", "sdbot", "generic"}) {
    std::set<std::string> hit;
    for (const Scan& s : raw_->scans) {
      const std::string& md5 = raw_->reports.at(s.vt).first;
      if (Named(s) && downloaded.count(md5) &&
          ToLower(*s.result).find(ToLower(pattern)) != std::string::npos) {
        hit.insert(md5);
      }
    }
    std::map<std::string, std::pair<std::set<std::string>, std::int64_t>> names;
    for (const Scan& s : raw_->scans) {
      const std::string& md5 = raw_->reports.at(s.vt).first;
      if (!Named(s) || !hit.count(md5)) continue;
      names[*s.result].first.insert(md5);
      ++names[*s.result].second;
    }
    std::vector<Line> want;
    for (const auto& [name, v] : names) {
      want.push_back({name, std::to_string(v.first.size()), std::to_string(v.second)});
    }
    auto source = Source::Open(path_, {});
    ASSERT_TRUE(source);
    auto doc = Aliases(*source, {pattern, false});
    ASSERT_TRUE(doc);
    auto got = Rows(*doc);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << pattern;
    EXPECT_FALSE(want.empty()) << pattern;
  }
}

TEST_F(GeneratedTest, UndetectedMatchesTheOracle) {
  // Latest report per md5.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> latest;  // md5 -> ts, id
  for (const auto& [id, r] : raw_->reports) {
    auto it = latest.find(r.first);
    if (it == latest.end() || std::make_pair(r.second, id) > it->second)
      latest[r.first] = {r.second, id};
  }
  std::map<std::string, std::int64_t> downloads;
  std::map<std::string, std::set<std::string>> vulns;
  for (const auto& [conn, md5] : raw_->downloads) {
    ++downloads[md5];
    const std::int64_t root = raw_->root.at(conn);
    auto [b, e] = raw_->requests.equal_range(root);
    for (auto it = b; it != e; ++it) {
      auto svc = raw_->service_by_uuid.find(it->second.first);
      if (svc == raw_->service_by_uuid.end()) continue;
      auto op = raw_->vuln.find({svc->second, it->second.second});
      if (op != raw_->vuln.end() && !op->second.empty()) vulns[md5].insert(op->second);
    }
  }
  for (const char* vendor : {"Kaspersky", "ClamAV", "Symantec"}) {
    std::set<std::int64_t> has_row, named;
    for (const Scan& s : raw_->scans) {
      if (s.scanner != vendor) continue;
      has_row.insert(s.vt);
      if (Named(s)) named.insert(s.vt);
    }
    std::vector<Line> want;
    std::size_t vuln_rows = 0;
    for (const auto& [md5, l] : latest) {
      if (!downloads.count(md5) || named.count(l.second) || !has_row.count(l.second)) continue;
      std::string list;
      for (const std::string& v : vulns[md5]) list += (list.empty() ? "" : ", ") + v;
      want.push_back(
          {md5, std::to_string(downloads[md5]), std::to_string(vulns[md5].size()), list});
      vuln_rows += vulns[md5].empty() ? 0 : 1;
    }
    auto source = Source::Open(path_, {});
    ASSERT_TRUE(source);
    auto doc = Undetected(*source, {vendor, false, false});
    ASSERT_TRUE(doc);
    std::vector<Line> got;
    for (const Line& line : Rows(*doc)) got.push_back(line);
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << vendor;
    EXPECT_GT(want.size(), 10u) << vendor;
    auto vuln_only = Undetected(*source, {vendor, true, false});
    ASSERT_TRUE(vuln_only);
    EXPECT_EQ(Rows(*vuln_only).size(), vuln_rows) << vendor;
    EXPECT_LT(vuln_rows, want.size()) << vendor;
  }
}

TEST_F(GeneratedTest, SummaryTotalsMatchTheOracle) {
  std::set<std::string> samples, with_report;
  for (const auto& [conn, md5] : raw_->downloads) samples.insert(md5);
  std::int64_t reports = 0;
  for (const auto& [id, r] : raw_->reports) {
    if (!samples.count(r.first)) continue;
    with_report.insert(r.first);
    ++reports;
  }
  auto source = Source::Open(path_, {});
  ASSERT_TRUE(source);
  auto doc = Summary(*source);
  ASSERT_TRUE(doc);
  auto totals = Rows(*doc, 0);
  EXPECT_EQ(totals[0][1], std::to_string(samples.size()));
  EXPECT_EQ(totals[1][1], std::to_string(raw_->downloads.size()));
  EXPECT_EQ(totals[2][1], std::to_string(with_report.size()));
  EXPECT_EQ(totals[4][1], std::to_string(reports));
  std::int64_t bucketed = 0;
  for (const auto& line : Rows(*doc, 1)) bucketed += std::stoll(line[1]);
  EXPECT_EQ(bucketed, static_cast<std::int64_t>(with_report.size()));
  std::int64_t per_day = 0;
  for (const auto& line : Rows(*doc, 3)) per_day += std::stoll(line[1]);
  EXPECT_EQ(per_day, static_cast<std::int64_t>(samples.size()));
  // The biggest generated family is Conficker (its aliases Kido/Downadup vote with it).
  EXPECT_EQ(Rows(*doc, 2).at(0).at(0), "conficker");
}

TEST_F(GeneratedTest, FamilyLabelSelectsTheSameSamplesAsTheFamiliesReport) {
  auto source = Source::Open(path_, {});
  ASSERT_TRUE(source);
  auto families = Families(*source);
  ASSERT_TRUE(families);
  std::int64_t sdbot = 0;
  for (const auto& line : Rows(*families)) sdbot += line[1] == "sdbot" ? 1 : 0;
  EXPECT_GT(sdbot, 5);
  auto sig = Signatures(*source, {"sdbot", true});
  ASSERT_TRUE(sig);
  EXPECT_THAT(sig->tables[0].title, ::testing::HasSubstr(std::to_string(sdbot) + " samples"));
}

}  // namespace
}  // namespace honeyvt::report
