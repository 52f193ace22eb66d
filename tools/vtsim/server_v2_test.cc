// API v2 over HTTP: report shapes and batching, scan/rescan, comments, 403/204/400.

#include <gtest/gtest.h>

#include "core/digest.h"
#include "tools/vtsim/catalogue.h"
#include "tools/vtsim/sim_test_util.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;
using namespace honeyvt::vtsim::testing;

httplib::Params Form(const std::string& resource, const std::string& key = kKey) {
  return {{"apikey", key}, {"resource", resource}};
}

TEST(ServerV2Test, ReportFoundAndNotFoundHaveFixtureShapes) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  auto res = cli.Post("/vtapi/v2/file/report", Form(std::string(kEicarSha256)));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res->body.find('\n'), std::string::npos) << "compact";
  EXPECT_NE(res->body.find("\", \""), std::string::npos);
  EXPECT_NE(res->body.find("\": "), std::string::npos);
  json body = json::parse(res->body);
  ExpectSameShape(Fixture("v2-file-report-found.json"), body);
  EXPECT_EQ(body["response_code"], 1);
  EXPECT_EQ(body["resource"], kEicarSha256);
  EXPECT_EQ(body["total"].get<std::size_t>(), body["scans"].size());
  EXPECT_GE(body["positives"].get<int>(), 55);
  const std::string scan_id = body["scan_id"];
  EXPECT_EQ(scan_id.substr(0, 65), std::string(kEicarSha256) + "-");

  // GET with the query string works too; a scan_id is a valid resource.
  res = cli.Get("/vtapi/v2/file/report?apikey=testkey&resource=" + scan_id);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body)["response_code"], 1);

  const std::string unknown(64, '0');
  res = cli.Post("/vtapi/v2/file/report", Form(unknown));
  body = json::parse(res->body);
  ExpectSameShape(Fixture("v2-file-report-not-found.json"), body);
  EXPECT_EQ(body["response_code"], 0);
}

TEST(ServerV2Test, BatchAnswersInRequestOrder) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  const std::string unknown(32, 'a');
  auto res = cli.Post("/vtapi/v2/file/report",
                      Form(unknown + " , " + std::string(kEicarMd5) + ",garbage<>," + std::string(kEicarSha1)));
  ASSERT_EQ(res->status, 200);
  const json body = json::parse(res->body);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 4u);
  EXPECT_EQ(body[0]["resource"], unknown);
  EXPECT_EQ(body[0]["response_code"], 0);
  EXPECT_EQ(body[1]["resource"], kEicarMd5);
  EXPECT_EQ(body[1]["response_code"], 1);
  EXPECT_EQ(body[2]["resource"], "garbage<>");
  EXPECT_EQ(body[2]["verbose_msg"], "Invalid resource, check what you are submitting");
  EXPECT_EQ(body[3]["response_code"], 1);

  res = cli.Post("/vtapi/v2/file/report", Form("a,b,c,d,e"));
  EXPECT_EQ(res->status, 400) << "more than the batch limit";
  res = cli.Post("/vtapi/v2/file/report", Form(""));
  EXPECT_EQ(res->status, 400);
}

TEST(ServerV2Test, BadKeyIs403WithEmptyBody) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  for (const std::string key : {"nope", ""}) {
    auto res = cli.Post("/vtapi/v2/file/report", Form(std::string(kEicarMd5), key));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403);
    EXPECT_TRUE(res->body.empty());
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  }
  EXPECT_EQ(FetchLog(*server)["auth_errors_total"], 2);
}

TEST(ServerV2Test, ScanIsQueuedThenReported) {
  FakeClock clock(FromUnixSeconds(std::int64_t{1767225600}), /*auto_advance=*/false);
  SimOptions o = TestOptions();
  o.clock = &clock;
  o.analysis_delay_seconds = 30;
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  const std::string content = "\n";
  auto res = cli.Post("/vtapi/v2/file/scan", FilePart(content, "null_file", kKey));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const json scan = json::parse(res->body);
  ExpectSameShape(Fixture("v2-file-scan.json"), scan);
  EXPECT_EQ(scan["md5"], "68b329da9893e34099c7d8ad5cb9c940");  // same file as the fixture
  EXPECT_EQ(scan["scan_id"], scan["sha256"].get<std::string>() + "-1767225600");

  res = cli.Post("/vtapi/v2/file/report", Form(scan["md5"]));
  json report = json::parse(res->body);
  EXPECT_EQ(report["response_code"], -2);
  EXPECT_EQ(report["scan_id"], scan["scan_id"]);
  clock.Advance(std::chrono::seconds(30));
  res = cli.Post("/vtapi/v2/file/report", Form(scan["md5"]));
  report = json::parse(res->body);
  EXPECT_EQ(report["response_code"], 1);
  EXPECT_EQ(report["scan_date"], "2026-01-01 00:00:00");
  EXPECT_EQ(FetchLog(*server)["uploads"][0]["via"], "v2");

  res = cli.Post("/vtapi/v2/file/scan", Form("x"));
  EXPECT_EQ(res->status, 400) << "no file part";
}

TEST(ServerV2Test, RescanShapeAndBatch) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  auto res = cli.Post("/vtapi/v2/file/rescan", Form(std::string(kEicarMd5)));
  ASSERT_EQ(res->status, 200);
  const json r = json::parse(res->body);
  ExpectSameShape(Fixture("v2-file-rescan.json"), r);
  EXPECT_EQ(r["sha256"], kEicarSha256);
  res = cli.Post("/vtapi/v2/file/rescan", Form(std::string(kEicarMd5) + "," + std::string(64, '1')));
  const json batch = json::parse(res->body);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0]["response_code"], 1);
  EXPECT_EQ(batch[1]["response_code"], 0);
}

TEST(ServerV2Test, CommentsPutAcceptsOnceThenReportsDuplicate) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  httplib::Params p = Form(std::string(kEicarMd5));
  p.emplace("comment", "dionaea saw this #honeypot");
  json r = json::parse(cli.Post("/vtapi/v2/comments/put", p)->body);
  EXPECT_EQ(r["response_code"], 1);
  r = json::parse(cli.Post("/vtapi/v2/comments/put", p)->body);
  EXPECT_EQ(r["response_code"], 0);
  EXPECT_EQ(r["verbose_msg"], "Duplicate comment");
  httplib::Params bad = Form("zzz");
  bad.emplace("comment", "x");
  EXPECT_EQ(json::parse(cli.Post("/vtapi/v2/comments/put", bad)->body)["response_code"], 0);
  EXPECT_EQ(cli.Post("/vtapi/v2/comments/put", Form(std::string(kEicarMd5)))->status, 400);
  const json log = FetchLog(*server);
  ASSERT_EQ(log["comments"].size(), 1u);
  EXPECT_EQ(log["comments"][0]["api"], "v2");
}

}  // namespace
}  // namespace honeyvt::vtsim
