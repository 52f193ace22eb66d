// Hostile and broken input, and concurrent clients sharing one quota.

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tools/vtsim/catalogue.h"
#include "tools/vtsim/sim_test_util.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;
using namespace honeyvt::vtsim::testing;

TEST(ServerHostileTest, NonUtf8NamesAndTextNeverBreakTheJson) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  auto r = cli.Post("/api/v3/files", V3Headers(), FilePart("MZ bytes", "bad\xff\xfe name\".exe"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const std::string id = json::parse(r->body)["data"]["id"];
  r = cli.Get("/api/v3/analyses/" + id, V3Headers());
  const json a = json::parse(r->body);
  r = cli.Get("/api/v3/files/" + a["meta"]["file_info"]["sha256"].get<std::string>(), V3Headers());
  ASSERT_EQ(r->status, 200);
  EXPECT_FALSE(json::parse(r->body, nullptr, false).is_discarded());
  EXPECT_FALSE(json::parse(FetchLog(*server).dump(), nullptr, false).is_discarded());

  const std::string bad_comment = "{\"data\": {\"type\": \"comment\", \"attributes\": {\"text\": \"\xff\"}}}";
  r = cli.Post("/api/v3/files/" + std::string(kEicarMd5) + "/comments", V3Headers(), bad_comment,
               "application/json");
  EXPECT_EQ(r->status, 400);

  r = cli.Get("/vtapi/v2/file/report?apikey=testkey&resource=%FF%FE");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["response_code"], 0);
}

TEST(ServerHostileTest, OversizedListsAndIdsGetClearErrors) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  auto list = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += std::string(kEicarMd5) + ",";
    return out;
  };
  auto r = cli.Post("/vtapi/v2/file/report", httplib::Params{{"apikey", kKey}, {"resource", list(50)}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << "over the batch limit";
  r = cli.Post("/vtapi/v2/file/rescan", httplib::Params{{"apikey", kKey}, {"resource", list(50)}});
  EXPECT_EQ(r->status, 400) << "over the rescan limit";
  // Forms over 8 KiB are refused by the HTTP layer before any handler runs.
  r = cli.Post("/vtapi/v2/file/report", httplib::Params{{"apikey", kKey}, {"resource", list(5000)}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  const std::string long_id(4000, 'a');
  r = cli.Get("/api/v3/files/" + long_id, V3Headers());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "NotFoundError");
  r = cli.Get("/api/v3/analyses/" + long_id, V3Headers());
  EXPECT_EQ(r->status, 404);
}

TEST(ServerHostileTest, ConcurrentClientsShareOneQuotaExactly) {
  SimOptions o = TestOptions();
  o.quota = "100/1h";
  o.threads = 8;
  auto server = StartOrDie(o);
  ASSERT_TRUE(server);
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      httplib::Client cli(server->base_url());
      for (int i = 0; i < 40; ++i) {
        auto r = cli.Get("/api/v3/files/" + std::string(kEicarSha256), V3Headers());
        if (r && r->status == 200) ++ok;
        else if (r && r->status == 429) ++refused;
        else ++other;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(refused.load(), 220);
  EXPECT_EQ(other.load(), 0);
  const json log = FetchLog(*server);
  EXPECT_EQ(log["calls_total"], 320);
  EXPECT_EQ(log["quota_errors_total"], 220);
}

}  // namespace
}  // namespace honeyvt::vtsim
