// The JSON API over real HTTP: reports equal to the report module's JSON on logsql,
// background runs, samples paging and filters, the overview chart, status and probes, and
// the measuring of every logsql read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <set>
#include <sstream>
#include <thread>

#include "core/strings.h"
#include "report/format.h"
#include "report/reports.h"
#include "report/vt_data_gen.h"
#include "store/logsql.h"
#include "web/report_service.h"
#include "web/web_test_util.h"

namespace honeyvt::web {
namespace {

using nlohmann::json;
using testing::TestApp;

void Exec(const std::filesystem::path& path, const std::string& sql) {
  auto db = store::Database::Open(path, {.mode = store::OpenMode::kReadWrite});
  ASSERT_TRUE(db.has_value()) << db.error().ToString();
  auto st = db->Exec(sql);
  ASSERT_TRUE(st.has_value()) << st.error().ToString();
}

void Generate(const std::filesystem::path& logsql, std::int64_t samples, std::uint64_t seed) {
  report::testing::VtDataOptions o;
  o.samples = samples;
  o.seed = seed;
  o.days = 20;
  ASSERT_TRUE(report::testing::GenerateVtData(logsql, o).has_value());
}

// What `honeyvt report ... --format json` prints for this report on `db`.
std::string CliJson(const std::filesystem::path& db,
                    const std::function<Result<report::Document>(report::Source&)>& run,
                    report::Filter filter = {}) {
  auto source = report::Source::Open(db, filter);
  EXPECT_TRUE(source.has_value());
  auto doc = run(*source);
  EXPECT_TRUE(doc.has_value()) << doc.error().ToString();
  std::ostringstream out;
  report::Render(*doc, report::Format::kJson, out);
  return out.str();
}

report::Filter MakeFilter(std::optional<double> since, std::optional<double> until,
                          std::int64_t limit = 0) {
  report::Filter f;
  f.since = since;
  f.until = until;
  f.limit = limit;
  return f;
}

double Metric(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  // %.17g: small values come in exponent form (1.5e-05).
  const std::string value =
      text.substr(at + series.size() + 2, text.find('\n', at + 1) - at - series.size() - 2);
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  return end == value.c_str() + value.size() ? v : -1;
}

TEST(WebReportsTest, RowsAreTheCliJsonByteForByte) {
  TestApp t;
  const auto logsql = t.options().logsql;
  Generate(logsql, 200, 3);
  struct Case {
    std::string query;
    std::function<Result<report::Document>(report::Source&)> run;
    report::Filter filter;
  };
  const std::vector<Case> cases = {
      {"summary", [](report::Source& s) { return report::Summary(s); }, {}},
      {"families?limit=20", [](report::Source& s) { return report::Families(s); },
       MakeFilter(std::nullopt, std::nullopt, 20)},
      {"undetected?vendor=Kaspersky&vuln_only=1",
       [](report::Source& s) {
         return report::Undetected(s, {"Kaspersky", true, false});
       },
       {}},
      {"aliases?pattern=conficker",
       [](report::Source& s) {
         return report::Aliases(s, {"conficker", false});
       },
       {}},
      {"signatures?pattern=sdbot&family=1",
       [](report::Source& s) {
         return report::Signatures(s, {"sdbot", true});
       },
       {}},
      {"summary?since=1286470647&until=1287000000",
       [](report::Source& s) { return report::Summary(s); },
       MakeFilter(1286470647.0, 1287000000.0)},
  };
  for (const Case& c : cases) {
    const std::string expected = CliJson(logsql, c.run, c.filter);
    const std::string sep = c.query.find('?') == std::string::npos ? "?" : "&";
    auto exported = t.Get("/api/v1/reports/" + c.query + sep + "format=json");
    ASSERT_EQ(exported.status, 200) << c.query << ": " << exported.body;
    EXPECT_EQ(exported.body, expected) << c.query;
    auto page = t.Get("/api/v1/reports/" + c.query);
    ASSERT_EQ(page.status, 200) << page.body;
    // The page's answer carries the same text (key order included) after "result":.
    const auto at = page.body.find("\"result\":");
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(page.body.substr(at + 9, page.body.size() - at - 10), expected) << c.query;
    EXPECT_NE(json::parse(page.body)["command"].get<std::string>().find("honeyvt report"),
              std::string::npos);
  }
  // history runs on logsql itself.
  const std::string md5 = [&] {
    auto db = store::Database::Open(logsql, {});
    auto s = db->Prepare("SELECT virustotal_md5_hash FROM virustotals LIMIT 1");
    EXPECT_TRUE(*s->Step());
    return s->Text(0);
  }();
  EXPECT_EQ(t.Get("/api/v1/reports/history?md5=" + md5 + "&format=json").body,
            CliJson(logsql, [&](report::Source& s) { return report::History(s, md5); }));
  EXPECT_EQ(t.Get("/api/v1/reports/undetected").status, 400);
  EXPECT_EQ(t.Get("/api/v1/reports/summary?since=yesterday").status, 400);
  EXPECT_EQ(t.Get("/api/v1/reports/nope").status, 404);
}

TEST(WebReportsTest, ReportsRunInTheBackgroundAndAreServedWhileAFreshRunWaits) {
  honeyvt::testing::TempDir dir;
  const auto logsql = dir / "l.sqlite";
  ASSERT_TRUE(store::Logsql::Create(logsql).has_value());
  Generate(logsql, 50, 4);
  Pool pool([&] { return OpenLogsqlReader(logsql, std::chrono::milliseconds(100)); }, logsql);
  FakeClock clock(FromUnixSeconds(std::int64_t{1700000000}), false);
  ReportService::Config config;
  config.logsql = logsql;
  config.replica = dir / "replica.sqlite";
  config.logsql_pool = &pool;
  ReportService service(config, clock);
  ReportQuery q;
  q.name = "summary";
  auto a = service.Get(q);
  EXPECT_EQ(a.report, nullptr);  // pending: nothing ran in this thread
  EXPECT_FALSE(a.progress.empty());
  EXPECT_EQ(service.state().queued, 1u);
  ASSERT_TRUE(service.Work().has_value());
  a = service.Get(q);
  ASSERT_NE(a.report, nullptr);
  const std::string first = a.report->json;
  EXPECT_EQ(first, CliJson(logsql, [](report::Source& s) { return report::Summary(s); }));
  // New data: the kept answer is served until it is a minute old, then computed again.
  Generate(logsql, 10, 5);
  ASSERT_TRUE(service.Work().has_value());
  a = service.Get(q);
  EXPECT_EQ(a.report->json, first);
  EXPECT_FALSE(a.stale);
  clock.Advance(std::chrono::seconds(61));
  a = service.Get(q);
  EXPECT_EQ(a.report->json, first);
  EXPECT_TRUE(a.stale);
  ASSERT_TRUE(service.Work().has_value());
  a = service.Get(q);
  EXPECT_FALSE(a.stale);
  EXPECT_EQ(a.report->json, CliJson(logsql, [](report::Source& s) { return report::Summary(s); }));
  EXPECT_NE(a.report->json, first);
}

TEST(WebSamplesTest, PagesBySampleTimeAndMd5SoEqualTimesAreNeverSkipped) {
  TestApp t;
  const auto logsql = t.options().logsql;
  // Seven samples downloaded in one connection: the same last_seen for all of them.
  std::string sql =
      "INSERT INTO connections (connection, connection_type, connection_protocol, "
      "connection_timestamp, remote_host) VALUES (1, 'accept', 'smbd', 1700000000.5, "
      "'198.51.100.1');";
  for (int i = 0; i < 7; ++i) {
    sql += "INSERT INTO downloads (connection, download_md5_hash) VALUES (1, '" +
           std::string(31, "0123456"[i]) + "f');";
  }
  Exec(logsql, sql);
  ASSERT_TRUE(t.app().UpdateRollups().has_value());
  std::set<std::string> seen;
  std::string before;
  int pages = 0;
  while (pages++ < 10) {
    auto r =
        t.Get("/api/v1/samples?window=all&limit=3" + (before.empty() ? "" : "&before=" + before));
    ASSERT_EQ(r.status, 200) << r.body;
    const json j = json::parse(r.body);
    for (const auto& row : j["rows"]) {
      EXPECT_TRUE(seen.insert(row["md5"].get<std::string>()).second) << "shown twice";
    }
    if (j["next_before"].is_null()) break;
    before = j["next_before"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(t.Get("/api/v1/samples?before=x_y").status, 400);
}

TEST(WebSamplesTest, MissedByVendorListsTheSamplesOfReportUndetected) {
  TestApp t;
  const auto logsql = t.options().logsql;
  Generate(logsql, 150, 6);
  ASSERT_TRUE(t.app().UpdateRollups().has_value());
  // The replica is made on the first report.
  ASSERT_EQ(t.Get("/api/v1/reports/summary").status, 200);
  std::set<std::string> shown;
  std::string before;
  for (int page = 0; page < 20; ++page) {
    auto r = t.Get("/api/v1/samples?window=all&missed_by=Kaspersky&limit=20" +
                   (before.empty() ? "" : "&before=" + before));
    ASSERT_EQ(r.status, 200) << r.body;
    const json j = json::parse(r.body);
    for (const auto& row : j["rows"]) shown.insert(row["md5"].get<std::string>());
    if (j["next_before"].is_null()) break;
    before = j["next_before"].get<std::string>();
  }
  const json undetected = json::parse(CliJson(logsql, [](report::Source& s) {
    return report::Undetected(s, {"Kaspersky", false, false});
  }));
  std::set<std::string> expected;
  for (const auto& row : undetected) expected.insert(row["md5"].get<std::string>());
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(shown, expected);
}

TEST(WebOverviewTest, AWindowWithOneBucketOfDataStillDrawsALine) {
  TestApp t;
  const double now = ToUnixSeconds(SystemClock().Now());
  Exec(t.options().logsql,
       "INSERT INTO connections (connection_type, connection_protocol, connection_timestamp, "
       "remote_host) VALUES ('accept', 'smbd', " +
           std::to_string(now - 60) + ", '198.51.100.1')");
  ASSERT_TRUE(t.app().UpdateRollups().has_value());
  for (const char* window : {"all", "1h", "24h"}) {
    const json h =
        json::parse(t.Get(std::string("/api/v1/overview?window=") + window).body)["hourly"];
    const auto& hours = h["hours"];
    ASSERT_GE(hours.size(), 3u) << window;
    std::int64_t total = 0;
    for (std::size_t i = 0; i < hours.size(); ++i) {
      total += h["connections"][i].get<std::int64_t>();
      if (i > 0) {
        EXPECT_EQ(hours[i].get<std::int64_t>() - hours[i - 1].get<std::int64_t>(),
                  h["bucket_seconds"].get<std::int64_t>());
      }
    }
    EXPECT_EQ(total, 1) << window;
  }
  EXPECT_EQ(json::parse(t.Get("/api/v1/overview?window=24h").body)["hourly"]["hours"].size(), 25u);
}

// What the rollups must count, written as plain SQL on logsql: a connection counts in the
// hour of its numeric timestamp; downloads, samples and hosts of downloads only with an md5
// of 32 hex digits (any case); a sample's verdict is its newest report (by scan date, then
// id) with positives = scans that named it.
constexpr const char* kHandWrittenScope = R"SQL(
WITH c AS (SELECT * FROM connections WHERE typeof(connection_timestamp) IN ('integer', 'real')
             AND connection_timestamp >= ?1 AND connection_timestamp < ?2),
d AS (SELECT lower(download_md5_hash) AS m, c.remote_host AS host FROM downloads
        JOIN c USING (connection) WHERE length(download_md5_hash) = 32
        AND lower(download_md5_hash) NOT GLOB '*[^0-9a-f]*'),
latest AS (SELECT lower(v.virustotal_md5_hash) AS m,
             (SELECT count(*) FROM virustotalscans x WHERE x.virustotal = v.virustotal) AS total,
             (SELECT count(*) FROM virustotalscans x WHERE x.virustotal = v.virustotal
                AND coalesce(x.virustotalscan_result, '') <> '') AS positives
           FROM virustotals v WHERE NOT EXISTS (SELECT 1 FROM virustotals w
             WHERE lower(w.virustotal_md5_hash) = lower(v.virustotal_md5_hash)
             AND (w.virustotal_timestamp > v.virustotal_timestamp OR (w.virustotal_timestamp =
                  v.virustotal_timestamp AND w.virustotal > v.virustotal)))),
s AS (SELECT DISTINCT m FROM d)
)SQL";
constexpr const char* kHandWrittenTiles = R"SQL(
SELECT (SELECT count(*) FROM c),
       (SELECT count(*) FROM c WHERE connection_root IS NULL OR connection_root = connection),
       (SELECT count(*) FROM d),
       (SELECT count(DISTINCT remote_host) FROM c WHERE coalesce(remote_host, '') <> ''),
       (SELECT count(*) FROM s),
       (SELECT count(*) FROM s JOIN latest USING (m)),
       (SELECT count(*) FROM s JOIN latest USING (m) WHERE positives > 0)
)SQL";

TEST(WebOverviewTest, TilesAndTopListsEqualHandWrittenSqlOnLogsql) {
  TestApp t;
  const auto logsql = t.options().logsql;
  Generate(logsql, 300, 12);
  // Rows the rollups must leave out or normalise, and undetected samples.
  Exec(logsql,
       "INSERT INTO connections (connection, connection_type, connection_protocol, "
       "connection_timestamp, remote_host) VALUES (900001, 'accept', 'smbd', 'not a time', "
       "'198.51.100.250'), (900002, 'accept', 'smbd', 1286900000.5, ''), (900003, 'accept', "
       "'httpd', 1286900100, NULL);"
       "INSERT INTO downloads (connection, download_md5_hash) VALUES (900001, "
       "'00000000000000000000000000000001'), (900002, 'not-an-md5'), (900002, "
       "'ABCDEF0123456789ABCDEF0123456789'), (900003, 'abcdef0123456789abcdef0123456789'), "
       "(999999, '00000000000000000000000000000002');"
       "INSERT INTO virustotals (virustotal_md5_hash, virustotal_timestamp, "
       "virustotal_permalink) VALUES ('abcdef0123456789abcdef0123456789', 1286900200, 'p');"
       "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, virustotalscan_result) "
       "VALUES (last_insert_rowid(), 'Kaspersky', ''), (last_insert_rowid(), 'ClamAV', NULL);");
  ASSERT_TRUE(t.app().UpdateRollups().has_value());
  auto db = store::Database::Open(logsql, {.mode = store::OpenMode::kReadOnly});
  ASSERT_TRUE(db.has_value());
  const double start = 1286470647.0;
  for (const std::string& query :
       {std::string("window=all"), "from=" + std::to_string(start + 5 * 86400.0) +
                                       "&to=" + std::to_string(start + 12 * 86400.0)}) {
    SCOPED_TRACE(query);
    auto reply = t.Get("/api/v1/overview?" + query);
    ASSERT_EQ(reply.status, 200) << reply.body;
    const json o = json::parse(reply.body);
    const auto from = o["window"]["hour_from"].get<std::int64_t>();
    const auto to = o["window"]["hour_to"].get<std::int64_t>();
    auto sql = db->Prepare(std::string(kHandWrittenScope) + kHandWrittenTiles);
    ASSERT_TRUE(sql.has_value()) << sql.error().ToString();
    sql->BindAll(static_cast<double>(from), static_cast<double>(to));
    ASSERT_TRUE(*sql->Step());
    const json& tiles = o["tiles"];
    EXPECT_GT(sql->Int64(0), 100);
    EXPECT_EQ(tiles["connections"], sql->Int64(0));
    EXPECT_EQ(tiles["attacks"], sql->Int64(1));
    EXPECT_EQ(tiles["downloads"], sql->Int64(2));
    EXPECT_EQ(tiles["attackers"], sql->Int64(3));
    EXPECT_EQ(tiles["samples"], sql->Int64(4));
    EXPECT_EQ(tiles["samples_with_verdict"], sql->Int64(5));
    EXPECT_EQ(tiles["samples_detected"], sql->Int64(6));
    EXPECT_LT(sql->Int64(6), sql->Int64(5)) << "some samples undetected";
    // The top attackers: connections per host, then its downloads.
    auto top = db->Prepare(
        "SELECT remote_host, count(*) AS n, (SELECT count(*) FROM downloads d WHERE d.connection "
        "IN (SELECT connection FROM connections x WHERE x.remote_host = c.remote_host AND "
        "typeof(x.connection_timestamp) IN ('integer', 'real') AND x.connection_timestamp >= ?1 "
        "AND x.connection_timestamp < ?2) AND length(d.download_md5_hash) = 32 AND "
        "lower(d.download_md5_hash) NOT GLOB '*[^0-9a-f]*') FROM connections c WHERE "
        "typeof(connection_timestamp) IN ('integer', 'real') AND connection_timestamp >= ?1 AND "
        "connection_timestamp < ?2 AND coalesce(remote_host, '') <> '' GROUP BY remote_host "
        "ORDER BY n DESC, remote_host LIMIT 10");
    ASSERT_TRUE(top.has_value()) << top.error().ToString();
    top->BindAll(static_cast<double>(from), static_cast<double>(to));
    json expected = json::array();
    while (*top->Step()) {
      expected.push_back(
          {{"host", top->Text(0)}, {"connections", top->Int64(1)}, {"downloads", top->Int64(2)}});
    }
    EXPECT_EQ(o["top_attackers"], expected);
  }
  // Undetected samples (newest report named by no engine): the attention list of the whole
  // window and the samples filter find exactly these.
  auto undetected = db->Prepare(std::string(kHandWrittenScope) +
                                "SELECT m FROM s JOIN latest USING (m) WHERE positives = 0 AND "
                                "total > 0 ORDER BY m");
  ASSERT_TRUE(undetected.has_value()) << undetected.error().ToString();
  undetected->BindAll(0.0, 1e11);
  std::set<std::string> expected;
  while (*undetected->Step()) expected.insert(undetected->Text(0));
  ASSERT_FALSE(expected.empty());
  EXPECT_TRUE(expected.count("abcdef0123456789abcdef0123456789"));
  std::set<std::string> listed;
  const auto page = t.Get("/api/v1/samples?window=all&verdict=undetected&limit=500");
  ASSERT_EQ(page.status, 200) << page.body;
  const json rows = json::parse(page.body)["rows"];
  for (const auto& row : rows) listed.insert(row["md5"].get<std::string>());
  EXPECT_EQ(listed, expected);
  const json attention =
      json::parse(t.Get("/api/v1/overview?window=all").body)["attention"]["undetected"];
  EXPECT_EQ(attention.size(), std::min<std::size_t>(10, expected.size()));
  for (const auto& row : attention) EXPECT_TRUE(expected.count(row["md5"].get<std::string>()));
}

TEST(WebStatusTest, ProbesAndTheStatusPageWithoutSecrets) {
  TestApp t;
  EXPECT_EQ(t.Get("/healthz").body, "ok\n");
  auto ready = t.Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  const json s = json::parse(t.Get("/api/v1/status").body);
  EXPECT_FALSE(s["version"].get<std::string>().empty());
  EXPECT_GE(s["uptime_seconds"].get<double>(), 0);
  bool has_key = false;
  for (const auto& c : s["config"]) {
    if (c["key"] == "api_key") has_key = c["value"] == "not set";
  }
  EXPECT_TRUE(has_key);
  std::set<std::string> dbs;
  for (const auto& d : s["databases"]) {
    dbs.insert(d["name"].get<std::string>());
    if (d["name"] != "report replica") {
      EXPECT_GT(d["bytes"].get<std::int64_t>(), 0) << d.dump();
    }
  }
  EXPECT_EQ(dbs, (std::set<std::string>{"logsql", "state", "report replica"}));
  EXPECT_TRUE(s.contains("last_vt_success"));
  EXPECT_TRUE(s["errors"].empty()) << s["errors"].dump();
  EXPECT_EQ(t.Get("/status").status, 200);
  // logsql gone: not ready, and the probe names no path.
  std::filesystem::rename(t.options().logsql, t.dir() / "moved.sqlite");
  ready = t.Get("/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, "not ready: logsql not readable;\n");
}

TEST(WebStatusTest, EveryLogsqlReadIsMeasuredPerReader) {
  TestApp t;
  Generate(t.options().logsql, 20, 8);
  ASSERT_TRUE(t.app().UpdateRollups().has_value());
  auto before = t.Get("/metrics").body;
  EXPECT_EQ(Metric(before, "honeyvt_logsql_read_duration_seconds_count{reader=\"tree\"}"), 0);
  EXPECT_GT(Metric(before, "honeyvt_logsql_read_duration_seconds_count{reader=\"rollups\"}"), 0);
  ASSERT_EQ(t.Get("/api/v1/attacks/1").status, 200);
  ASSERT_EQ(t.Get("/api/v1/attacks?window=all").status, 200);
  const auto md5 = json::parse(t.Get("/api/v1/samples?window=all").body)["rows"][0]["md5"];
  ASSERT_EQ(t.Get("/api/v1/samples/" + md5.get<std::string>()).status, 200);
  ASSERT_EQ(t.Get("/api/v1/reports/summary").status, 200);
  auto after = t.Get("/metrics").body;
  for (const char* reader : {"tree", "attacks", "sample", "replica"}) {
    const std::string r = std::string("{reader=\"") + reader + "\"}";
    EXPECT_GT(Metric(after, "honeyvt_logsql_read_duration_seconds_count" + r), 0) << reader;
    EXPECT_GT(Metric(after, "honeyvt_logsql_read_longest_seconds" + r), 0) << reader;
    EXPECT_LT(Metric(after, "honeyvt_logsql_read_longest_seconds" + r), 1) << reader;
  }
}

// The read-transaction figure is the time the dashboard holds logsql's SHARED lock (what
// delays dionaea's commits): a read that first waits for dionaea's write lock does not
// count its wait. And it waits through a slow commit (300 ms) instead of answering 503.
TEST(WebStatusTest, AWaitForDionaeasWriteLockIsNotCountedAsARead) {
  TestApp t;
  Generate(t.options().logsql, 20, 9);
  // The reader's connection is open and has read the schema before dionaea writes.
  ASSERT_EQ(t.Get("/api/v1/attacks?window=all").status, 200);
  auto writer = store::Database::Open(t.options().logsql, {.mode = store::OpenMode::kReadWrite});
  ASSERT_TRUE(writer.has_value());
  ASSERT_TRUE(writer->Exec("BEGIN EXCLUSIVE").has_value());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_TRUE(writer->Exec("COMMIT").has_value());
  });
  const auto start = std::chrono::steady_clock::now();
  const auto reply = t.Get("/api/v1/attacks?window=all");
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  release.join();
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_GE(waited, 0.28);
  const double longest =
      Metric(t.Get("/metrics").body, "honeyvt_logsql_read_longest_seconds{reader=\"attacks\"}");
  EXPECT_GT(longest, 0);
  EXPECT_LT(longest, waited - 0.05) << "the wait for the write lock was counted";
}

}  // namespace
}  // namespace honeyvt::web
