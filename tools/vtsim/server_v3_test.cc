// API v3 over HTTP against an in-process simulator: shapes compared with the recorded
// fixtures, authentication, uploads, the one-time upload URL, the analysis lifecycle,
// rescans and comments.

#include <chrono>

#include <gtest/gtest.h>

#include "core/digest.h"
#include "tools/vtsim/catalogue.h"
#include "tools/vtsim/ids.h"
#include "tools/vtsim/sim_test_util.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;
using namespace honeyvt::vtsim::testing;

// Keys the fixture file object has that the simulator does not produce.
const std::set<std::string> kFileOptional = {"creation_date", "first_seen_itw_date"};

TEST(ServerV3Test, StartsWellUnderOneSecond) {
  const auto t0 = std::chrono::steady_clock::now();
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  auto res = cli.Get("/_sim/health");
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  std::printf("vtsim start + first request: %lld ms\n", static_cast<long long>(ms));
  EXPECT_LT(ms, 250);
}

TEST(ServerV3Test, FileObjectHasTheFixtureShapeForEveryHashKind) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  const json fixture = Fixture("v3-file-object.json");
  for (auto hash : {kEicarMd5, kEicarSha1, kEicarSha256}) {
    auto res = cli.Get("/api/v3/files/" + std::string(hash), V3Headers());
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(res->body.rfind("{\n    \"data\": {\n        \"", 0), 0u) << "4-space indent";
    const json body = json::parse(res->body);
    ExpectSameShape(fixture, body, kFileOptional, /*extra=*/{"tlsh"});
    EXPECT_EQ(body["data"]["id"], kEicarSha256);
    EXPECT_EQ(body["data"]["links"]["self"],
              server->base_url() + "/api/v3/files/" + std::string(kEicarSha256));
    EXPECT_GE(body["data"]["attributes"]["last_analysis_stats"]["malicious"].get<int>(), 55);
    EXPECT_GE(body["data"]["attributes"]["last_analysis_results"].size(), 70u);
  }
  // Upper-case hashes are accepted too.
  std::string upper(kEicarMd5);
  for (char& ch : upper) ch = static_cast<char>(std::toupper(ch));
  EXPECT_EQ(cli.Get("/api/v3/files/" + upper, V3Headers())->status, 200);
}

TEST(ServerV3Test, ErrorsHaveVirusTotalBodies) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  const std::string unknown(64, 'f');
  auto res = cli.Get("/api/v3/files/" + unknown, V3Headers());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  json body = json::parse(res->body);
  ExpectSameShape(Fixture("v3-error-404-not-found.json"), body);
  EXPECT_EQ(body["error"]["code"], "NotFoundError");
  EXPECT_EQ(body["error"]["message"], "File \"" + unknown + "\" not found");

  res = cli.Get("/api/v3/files/" + std::string(kEicarMd5));
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "AuthenticationRequiredError");

  res = cli.Get("/api/v3/files/" + std::string(kEicarMd5), V3Headers("wrong"));
  EXPECT_EQ(res->status, 401);
  body = json::parse(res->body);
  ExpectSameShape(Fixture("v3-error-401-wrong-credentials.json"), body);
  EXPECT_EQ(body["error"]["code"], "WrongCredentialsError");
  EXPECT_EQ(res->body.find("wrong\""), std::string::npos) << "the key is not echoed";

  res = cli.Get("/api/v3/files/not-a-hash%22%0a", V3Headers());
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "NotFoundError");
  res = cli.Get("/api/v3/analyses/garbage", V3Headers());
  EXPECT_EQ(res->status, 404);
}

TEST(ServerV3Test, UploadAnalysisLifecycleOnInjectedClock) {
  FakeClock clock(FromUnixSeconds(std::int64_t{1767225600}), /*auto_advance=*/false);
  SimOptions o = TestOptions();
  o.clock = &clock;
  o.analysis_delay_seconds = 60;
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  const std::string content = "MZ\x90 lifecycle sample";
  const ContentDigests d = DigestBytes(content);

  auto res = cli.Post("/api/v3/files", V3Headers(), FilePart(content, "x.exe"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const json descriptor = json::parse(res->body);
  ExpectSameShape(Fixture("v3-files-analyse-response-2023.json"), descriptor);
  const std::string id = descriptor["data"]["id"];
  EXPECT_EQ(id, MakeAnalysisId(d.md5, 1767225600));

  auto analysis = [&] {
    auto r = cli.Get("/api/v3/analyses/" + id, V3Headers());
    EXPECT_TRUE(r && r->status == 200);
    return json::parse(r->body);
  };
  json a = analysis();
  EXPECT_EQ(a["data"]["attributes"]["status"], "queued");
  EXPECT_TRUE(a["data"]["attributes"]["results"].empty());
  EXPECT_EQ(a["data"]["attributes"]["stats"]["malicious"], 0);
  EXPECT_EQ(a["data"]["attributes"]["date"], 1767225600);
  EXPECT_EQ(a["meta"]["file_info"]["sha256"], d.sha256);
  EXPECT_EQ(a["meta"]["file_info"]["size"], d.size);
  EXPECT_EQ(cli.Get("/api/v3/files/" + d.sha256, V3Headers())->status, 404) << "not known yet";

  clock.Advance(std::chrono::seconds(45));
  a = analysis();
  EXPECT_EQ(a["data"]["attributes"]["status"], "in-progress");
  const auto partial = a["data"]["attributes"]["results"].size();
  EXPECT_GT(partial, 0u);
  EXPECT_LT(partial, 70u);

  clock.Advance(std::chrono::seconds(15));
  a = analysis();
  EXPECT_EQ(a["data"]["attributes"]["status"], "completed");
  ExpectSameShape(Fixture("v3-analysis-file-completed.json"), a);
  EXPECT_GE(a["data"]["attributes"]["results"].size(), 70u);
  EXPECT_EQ(a["data"]["links"]["item"], server->base_url() + "/api/v3/files/" + d.sha256);

  res = cli.Get("/api/v3/files/" + d.md5, V3Headers());
  ASSERT_EQ(res->status, 200);
  const json file = json::parse(res->body);
  EXPECT_EQ(file["data"]["attributes"]["names"][0], "x.exe");
  EXPECT_EQ(file["data"]["attributes"]["last_analysis_results"],
            a["data"]["attributes"]["results"]);
  EXPECT_EQ(cli.Get("/api/v3/analyses/" + id + "/item", V3Headers())->status, 200);
}

TEST(ServerV3Test, DirectUploadLimitAndOneTimeUploadUrl) {
  SimOptions o = TestOptions();
  o.max_direct_upload = 1000;
  o.max_upload = 5000;
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  const std::string big(2000, 'A');
  auto res = cli.Post("/api/v3/files", V3Headers(), FilePart(big));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);

  res = cli.Get("/api/v3/files/upload_url", V3Headers());
  ASSERT_EQ(res->status, 200);
  const json url_body = json::parse(res->body);
  ExpectSameShape(Fixture("v3-files-upload-url-response-2019.json"), url_body);
  const std::string url = url_body["data"];
  ASSERT_EQ(url.rfind(server->base_url() + "/_ah/upload/", 0), 0u) << url;
  const std::string path = url.substr(server->base_url().size());

  res = cli.Post(path, V3Headers(), FilePart(big));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ExpectSameShape(Fixture("v3-files-analyse-response-2023.json"), json::parse(res->body));
  res = cli.Post(path, V3Headers(), FilePart(big));
  EXPECT_EQ(res->status, 404) << "single use";
  res = cli.Get("/api/v3/files/upload_url", V3Headers());
  const std::string url2 = json::parse(res->body)["data"];
  res = cli.Post(url2.substr(server->base_url().size()), V3Headers(),
                 FilePart(std::string(6000, 'B')));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);

  res = cli.Post("/api/v3/files", V3Headers(), "file=abc", "application/x-www-form-urlencoded");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "BadRequestError");

  const json log = FetchLog(*server);
  ASSERT_EQ(log["uploads"].size(), 1u);
  EXPECT_EQ(log["uploads"][0]["size"], 2000);
  EXPECT_EQ(log["uploads"][0]["via"], "v3-upload-url");
}

TEST(ServerV3Test, RescanAndComments) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  auto res =
      cli.Post("/api/v3/files/" + std::string(kEicarSha256) + "/analyse", V3Headers(), "", "");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const json d = json::parse(res->body);
  ExpectSameShape(Fixture("v3-files-analyse-response-2023.json"), d);
  auto parts = ParseAnalysisId(d["data"]["id"].get<std::string>());
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->md5, kEicarMd5);
  EXPECT_EQ(
      cli.Post("/api/v3/files/" + std::string(64, 'e') + "/analyse", V3Headers(), "", "")->status,
      404);

  const std::string comment =
      R"({"data": {"type": "comment", "attributes": {"text": "Seen by #honeypot <dionaea>"}}})";
  res = cli.Post("/api/v3/files/" + std::string(kEicarMd5) + "/comments", V3Headers(), comment,
                 "application/json");
  ASSERT_EQ(res->status, 200);
  const json c = json::parse(res->body);
  const std::string id = c["data"]["id"];
  EXPECT_EQ(id.rfind("f-" + std::string(kEicarSha256) + "-", 0), 0u);
  EXPECT_EQ(id.size(), 2 + 64 + 1 + 8u);
  EXPECT_EQ(c["data"]["type"], "comment");
  EXPECT_EQ(c["data"]["attributes"]["tags"], json::array({"honeypot"}));
  EXPECT_EQ(c["data"]["attributes"]["html"], "Seen by #honeypot &lt;dionaea&gt;");

  res = cli.Post("/api/v3/files/" + std::string(64, 'e') + "/comments", V3Headers(), comment,
                 "application/json");
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "NotFoundError");
  for (auto bad :
       {"", "{", "[]", R"({"data": {"type": "vote", "attributes": {"text": "x"}}})",
        R"({"data": {"type": "comment", "attributes": {"text": 5}}})", R"({"data": 1})"}) {
    res = cli.Post("/api/v3/files/" + std::string(kEicarMd5) + "/comments", V3Headers(), bad,
                   "application/json");
    EXPECT_EQ(res->status, 400) << bad;
  }
  const json log = FetchLog(*server);
  ASSERT_EQ(log["comments"].size(), 1u);
  EXPECT_EQ(log["comments"][0]["text"], "Seen by #honeypot <dionaea>");
  EXPECT_EQ(log["comments"][0]["sha256"], kEicarSha256);
}

TEST(ServerV3Test, SameUploadGetsTheSameVerdictInEverySimulator) {
  auto results = [] {
    auto server = StartOrDie(TestOptions());
    httplib::Client cli(server->base_url());
    auto res = cli.Post("/api/v3/files", V3Headers(), FilePart("MZ deterministic"));
    const std::string id = json::parse(res->body)["data"]["id"];
    return json::parse(
        cli.Get("/api/v3/analyses/" + id, V3Headers())->body)["data"]["attributes"]["results"];
  };
  const json a = results();
  EXPECT_FALSE(a.empty());
  json b = results();
  for (auto& [k, v] : b.items()) v["engine_update"] = a[k]["engine_update"];  // dates may tick
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace honeyvt::vtsim

namespace honeyvt::vtsim {
namespace {

// --analysis-delay-max: each file's analysis takes min + (first 8 hex of its sha256) mod
// (max - min + 1) seconds, the rule bench/schedule's in-process simulator uses too.
TEST(ServerV3Test, AnalysisDelayRangeIsPerFileByItsSha256) {
  FakeClock clock(FromUnixSeconds(std::int64_t{1767225600}), /*auto_advance=*/false);
  SimOptions o = TestOptions();
  o.clock = &clock;
  o.analysis_delay_seconds = 60;
  o.analysis_delay_max_seconds = 300;
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  for (int i = 0; i < 3; ++i) {
    const std::string content = "MZ delay sample " + std::to_string(i);
    const ContentDigests d = DigestBytes(content);
    const std::int64_t delay =
        60 + static_cast<std::int64_t>(std::stoull(d.sha256.substr(0, 8), nullptr, 16) % 241);
    auto res = cli.Post("/api/v3/files", V3Headers(), FilePart(content, "x.exe"));
    ASSERT_TRUE(res && res->status == 200);
    const std::string id = json::parse(res->body)["data"]["id"];
    auto status = [&] {
      auto r = cli.Get("/api/v3/analyses/" + id, V3Headers());
      return std::string(json::parse(r->body)["data"]["attributes"]["status"]);
    };
    clock.Advance(std::chrono::seconds(delay - 1));
    EXPECT_NE(status(), "completed") << delay;
    clock.Advance(std::chrono::seconds(1));
    EXPECT_EQ(status(), "completed") << delay;
    clock.Advance(std::chrono::seconds(400));  // settle before the next upload
  }
  SimOptions bad = TestOptions();
  bad.analysis_delay_seconds = 60;
  bad.analysis_delay_max_seconds = 30;
  EXPECT_FALSE(Server::Start(bad).has_value());
}

}  // namespace
}  // namespace honeyvt::vtsim
