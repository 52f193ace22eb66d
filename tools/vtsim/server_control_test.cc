// Quotas over HTTP, /_sim/ control endpoints and catalogue options.

#include <thread>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "tools/vtsim/catalogue.h"
#include "tools/vtsim/ids.h"
#include "tools/vtsim/sim_test_util.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;
using namespace honeyvt::vtsim::testing;

const std::string kPath = "/api/v3/files/" + std::string(kEicarMd5);

TEST(ServerQuotaTest, V3Returns429QuotaExceededAndV2Returns204) {
  SimOptions o = TestOptions();
  o.quota = "3/1m";
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 200);
  auto r = cli.Get(kPath, V3Headers());
  EXPECT_EQ(r->status, 429);
  const json body = json::parse(r->body);
  ExpectSameShape(Fixture("v3-error-429-quota-exceeded.json"), body);
  EXPECT_EQ(body["error"]["code"], "QuotaExceededError");
  EXPECT_EQ(body["error"]["message"], "Quota exceeded");
  r = cli.Get("/vtapi/v2/file/report?apikey=testkey&resource=" + std::string(kEicarMd5));
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->body.empty());
  // Another key has its own quota.
  EXPECT_EQ(cli.Get(kPath, V3Headers("otherkey"))->status, 200);

  const json log = FetchLog(*server);
  EXPECT_EQ(log["quota_errors_total"], 2);
  EXPECT_EQ(log["quota_errors_by_window"]["3/1m"], 2);
  EXPECT_EQ(log["calls_total"], 6);
}

TEST(ServerQuotaTest, WindowReopensWithAcceleratedTime) {
  SimOptions o = TestOptions();
  o.quota = "10/2s";
  o.time_factor = 10;  // 2 simulated seconds = 0.2 real seconds
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  int ok = 0;
  for (int i = 0; i < 11; ++i) ok += cli.Get(kPath, V3Headers())->status == 200;
  EXPECT_EQ(ok, 10);  // 11 local requests take far less than 0.2 s
  EXPECT_EQ(FetchLog(*server)["quota_errors_total"], 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 200);
}

TEST(ServerQuotaTest, DailyQuotaReopensAtUtcMidnightViaAdvance) {
  FakeClock clock(FromUnixSeconds(std::int64_t{1767225600 - 120}), /*auto_advance=*/false);
  SimOptions o = TestOptions();
  o.clock = &clock;
  o.quota = "4/1m,5/1d";
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 200);
  EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 429);  // the minute (23:58:00)
  clock.Advance(std::chrono::seconds(59));
  EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 429);  // still the minute
  clock.Advance(std::chrono::seconds(1));               // 23:59:00, minute reopened
  EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 200);
  EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 429);  // 5/1d used up
  clock.Advance(std::chrono::seconds(59));              // 23:59:59
  EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 429);
  clock.Advance(std::chrono::seconds(1));               // 00:00:00 UTC: a new day
  EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 200);
  const json log = FetchLog(*server);
  EXPECT_EQ(log["quota_errors_by_window"]["4/1m"], 2);
  EXPECT_EQ(log["quota_errors_by_window"]["5/1d"], 2);
}

TEST(ServerQuotaTest, V2BatchCostPerItem) {
  SimOptions o = TestOptions();
  o.quota = "4/1m";
  o.v2_batch_cost_per_item = true;
  auto server = StartOrDie(o);
  httplib::Client cli(server->base_url());
  const std::string three = std::string(kEicarMd5) + "," + std::string(kEicarSha1) + "," + std::string(kEicarSha256);
  EXPECT_EQ(cli.Get("/vtapi/v2/file/report?apikey=testkey&resource=" + three)->status, 200);
  EXPECT_EQ(cli.Get("/vtapi/v2/file/report?apikey=testkey&resource=" + three)->status, 204);
  EXPECT_EQ(cli.Get("/vtapi/v2/file/report?apikey=testkey&resource=" + std::string(kEicarMd5))->status, 200);
}

TEST(ServerControlTest, LogCountsCallsPerKeyAndEndpointAndResetClears) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  cli.Get(kPath, V3Headers());
  cli.Get(kPath, V3Headers());
  cli.Get(kPath, V3Headers("otherkey"));
  cli.Get("/api/v3/files/upload_url", V3Headers());
  json log = FetchLog(*server);
  std::map<std::pair<std::string, std::string>, int> calls;
  for (const auto& c : log["calls"]) calls[{c["key"], c["endpoint"]}] = c["count"];
  EXPECT_EQ((calls[{KeyLabel("testkey"), "GET /api/v3/files/{id}"}]), 2);
  EXPECT_EQ((calls[{KeyLabel("otherkey"), "GET /api/v3/files/{id}"}]), 1);
  EXPECT_EQ((calls[{KeyLabel("testkey"), "GET /api/v3/files/upload_url"}]), 1);
  EXPECT_EQ(log["calls_total"], 4);
  EXPECT_EQ(log.dump().find("testkey"), std::string::npos) << "keys are never shown";

  auto r = cli.Post("/_sim/reset", "", "");
  ASSERT_EQ(r->status, 200);
  log = FetchLog(*server);
  EXPECT_EQ(log["calls_total"], 0);
  EXPECT_TRUE(log["calls"].empty());

  r = cli.Get("/_sim/health");
  ASSERT_EQ(r->status, 200);
  const json health = json::parse(r->body);
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["base_url"], server->base_url());
}

TEST(ServerControlTest, AdvanceMovesSimulatedTimeAndFaultsValidate) {
  auto server = StartOrDie(TestOptions());
  httplib::Client cli(server->base_url());
  const std::int64_t before = json::parse(cli.Get("/_sim/health")->body)["sim_time"];
  auto r = cli.Post("/_sim/advance?seconds=86400", "", "");
  ASSERT_EQ(r->status, 200);
  EXPECT_GE(json::parse(r->body)["sim_time"].get<std::int64_t>(), before + 86400);
  EXPECT_EQ(cli.Post("/_sim/advance?seconds=-1", "", "")->status, 400);
  EXPECT_EQ(cli.Post("/_sim/advance", "", "")->status, 400);
  EXPECT_EQ(cli.Post("/_sim/faults", "{not json", "application/json")->status, 400);
  EXPECT_EQ(cli.Post("/_sim/faults", R"({"rules": ["teapot"]})", "application/json")->status, 400);
  r = cli.Post("/_sim/faults", R"({"rules": ["503@0.5"], "sequence": ["reset"]})", "application/json");
  ASSERT_EQ(r->status, 200);
  const json f = json::parse(cli.Get("/_sim/faults")->body);
  EXPECT_EQ(f["rules"][0]["kind"], "503");
  EXPECT_EQ(f["sequence"][0], "reset");
}

TEST(ServerControlTest, CatalogueFromDirectoryServesProfiles) {
  honeyvt::testing::TempDir dir;
  const std::string md5 = "b214da9f6b0d6e6de5090b3f9672defe";
  honeyvt::testing::WriteFile(dir / "known.json",
      R"({")" + md5 + R"(": {"positives": 7, "family": "Allaple", "names": ["a.exe"]}})");
  SimOptions o = TestOptions();
  o.catalogues = {dir.path()};
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  auto r = cli.Get("/api/v3/files/" + md5, V3Headers());
  ASSERT_EQ(r->status, 200);
  const json file = json::parse(r->body);
  EXPECT_EQ(file["data"]["attributes"]["last_analysis_stats"]["malicious"], 7);
  EXPECT_EQ(file["data"]["attributes"]["md5"], md5);
  EXPECT_EQ(file["data"]["attributes"]["meaningful_name"], "a.exe");
  EXPECT_NE(file["data"]["attributes"]["popular_threat_classification"]["suggested_threat_label"]
                .get<std::string>().find("allaple"), std::string::npos);
}

TEST(ServerControlTest, OpenModeAcceptsAnyNonEmptyKey) {
  SimOptions o = TestOptions();
  o.keys.clear();
  auto server = StartOrDie(o);
  httplib::Client cli(server->base_url());
  EXPECT_EQ(cli.Get(kPath, V3Headers("anything"))->status, 200);
  EXPECT_EQ(cli.Get(kPath)->status, 401);
}

}  // namespace
}  // namespace honeyvt::vtsim
