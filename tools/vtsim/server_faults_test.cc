// Every fault mode over real sockets.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tools/vtsim/catalogue.h"
#include "tools/vtsim/sim_test_util.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;
using namespace honeyvt::vtsim::testing;

const std::string kPath = "/api/v3/files/" + std::string(kEicarMd5);

class ServerFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartOrDie(TestOptions());
    ASSERT_TRUE(server_);
  }
  void Script(const std::string& sequence) {
    httplib::Client cli(server_->base_url());
    auto res = cli.Post("/_sim/faults", json{{"sequence", json::array({sequence})}}.dump(),
                        "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }
  httplib::Result Get(int read_timeout_ms = 5000) {
    httplib::Client cli(server_->base_url());
    cli.set_read_timeout(std::chrono::milliseconds(read_timeout_ms));
    return cli.Get(kPath, V3Headers());
  }
  std::unique_ptr<Server> server_;
};

TEST_F(ServerFaultsTest, ServerErrorsHaveTheirStatusAndBody) {
  Script("500,502,503,504,429");
  auto r = Get();
  EXPECT_EQ(r->status, 500);
  EXPECT_TRUE(json::parse(r->body, nullptr, false).is_discarded()) << "HTML, not JSON";
  r = Get();
  EXPECT_EQ(r->status, 502);
  r = Get();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "TransientError");
  r = Get();
  EXPECT_EQ(r->status, 504);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "DeadlineExceededError");
  r = Get();
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "TooManyRequestsError");
  EXPECT_EQ(Get()->status, 200) << "sequence used up";
  const json log = FetchLog(*server_);
  EXPECT_EQ(log["faults_served_total"], 5);
}

TEST_F(ServerFaultsTest, V2GetsItsOwnThrottleSignal) {
  Script("429");
  httplib::Client cli(server_->base_url());
  auto r = cli.Get("/vtapi/v2/file/report?apikey=testkey&resource=" + std::string(kEicarMd5));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->body.empty());
}

TEST_F(ServerFaultsTest, ResetClosesTheConnectionWithoutAReply) {
  Script("reset");
  // A raw socket shows exactly what the client sees: no bytes, then ECONNRESET.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string request = "GET " + kPath + " HTTP/1.1\r\nHost: x\r\nx-apikey: testkey\r\n\r\n";
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  char buf[256];
  const ssize_t n = recv(fd, buf, sizeof buf, 0);
  const int err = errno;
  close(fd);
  EXPECT_EQ(n, -1);
  EXPECT_EQ(err, ECONNRESET);
  EXPECT_EQ(Get()->status, 200) << "the server keeps serving";
}

TEST_F(ServerFaultsTest, TruncatedBodyFailsTheClient) {
  Script("truncate");
  auto r = Get();
  EXPECT_FALSE(r) << "Content-Length promised more than was sent";
  EXPECT_EQ(Get()->status, 200);
}

TEST_F(ServerFaultsTest, StalledBodyTimesTheClientOut) {
  Script("stall=3000");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = Get(/*read_timeout_ms=*/300);
  EXPECT_FALSE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));
  // Stopping the server ends the stall at once.
  const auto t1 = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t1, std::chrono::milliseconds(1500));
}

TEST_F(ServerFaultsTest, StalledBodyStopsReadingAnUploadUntilTheStallEnds) {
  httplib::Client control(server_->base_url());
  auto set = control.Post("/_sim/faults", json{{"rules", json::array({"stall-body=60000"})}}.dump(),
                          "application/json");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->status, 200) << set->body;
  // A raw client announces 64 MB and sends without blocking: while the server does not
  // read, only what the socket buffers hold gets through.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Non-blocking: EINPROGRESS, or connected at once on loopback; send() tells.
  static_cast<void>(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr));
  constexpr std::size_t kBody = 64u << 20;
  const std::string head =
      "POST /api/v3/files HTTP/1.1\r\nHost: x\r\nx-apikey: testkey\r\n"
      "Content-Type: application/octet-stream\r\nContent-Length: " +
      std::to_string(kBody) + "\r\n\r\n";
  const std::string chunk(1 << 16, 'x');
  std::size_t sent = 0;
  bool head_sent = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < until && sent < kBody) {
    const std::string& what = head_sent ? chunk : head;
    const ssize_t n = send(fd, what.data(), what.size(), MSG_NOSIGNAL);
    if (n > 0 && !head_sent) {
      head_sent = static_cast<std::size_t>(n) == head.size();  // tiny: sent whole
    } else if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  close(fd);
  EXPECT_TRUE(head_sent);
  EXPECT_GT(sent, 0u);
  EXPECT_LT(sent, kBody / 2) << "the server kept reading the body";
  EXPECT_EQ(FetchLog(*server_)["faults_served_total"], 1);
  // GETs are not stalled; stopping the server ends the stall at once.
  EXPECT_EQ(Get()->status, 200);
  const auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
}

TEST_F(ServerFaultsTest, StalledBodyIsARuleNotASequenceItem) {
  httplib::Client control(server_->base_url());
  auto res = control.Post("/_sim/faults", json{{"sequence", json::array({"stall-body"})}}.dump(),
                          "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

TEST_F(ServerFaultsTest, NonJsonAndWrongContentType) {
  Script("nonjson,wrongtype");
  auto r = Get();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_TRUE(json::parse(r->body, nullptr, false).is_discarded());
  r = Get();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->get_header_value_count("Content-Type"), 1u);
  EXPECT_FALSE(json::parse(r->body, nullptr, false).is_discarded());
}

TEST_F(ServerFaultsTest, SlowResponseArrivesLate) {
  Script("slow=300");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = Get();
  EXPECT_EQ(r->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
}

TEST_F(ServerFaultsTest, NeverCompletingAnalysis) {
  httplib::Client cli(server_->base_url());
  ASSERT_EQ(cli.Post("/_sim/faults", R"({"never_complete": 1})", "application/json")->status, 200);
  auto r = cli.Post("/api/v3/files", V3Headers(), FilePart("MZ stuck"));
  const std::string id = json::parse(r->body)["data"]["id"];
  ASSERT_EQ(cli.Post("/_sim/advance?seconds=864000", "", "")->status, 200);
  r = cli.Get("/api/v3/analyses/" + id, V3Headers());
  EXPECT_EQ(json::parse(r->body)["data"]["attributes"]["status"], "queued");
}

TEST_F(ServerFaultsTest, FractionAndPathPrefixFromFlags) {
  SimOptions o = TestOptions();
  o.faults = {"503@0.5/vtapi/v2/"};
  o.fault_seed = 11;
  auto server = StartOrDie(o);
  httplib::Client cli(server->base_url());
  int failed = 0;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 200) << "v3 untouched";
    auto r = cli.Get("/vtapi/v2/file/report?apikey=testkey&resource=" + std::string(kEicarMd5));
    failed += r->status == 503;
  }
  EXPECT_GT(failed, 30);
  EXPECT_LT(failed, 70);
  EXPECT_EQ(FetchLog(*server)["faults_served_total"], failed);
}

TEST(ServerStartTest, StopIsPromptWithAnIdleKeepAliveConnection) {
  auto server = StartOrDie(TestOptions());
  ASSERT_TRUE(server);
  httplib::Client cli(server->base_url());
  cli.set_keep_alive(true);
  EXPECT_EQ(cli.Get(kPath, V3Headers())->status, 200);
  const auto t0 = std::chrono::steady_clock::now();
  server->Stop();
  server->Stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500));
}

TEST(ServerStartTest, StartThenImmediateStop) {
  for (int i = 0; i < 20; ++i) {
    auto server = StartOrDie(TestOptions());
    ASSERT_TRUE(server);
  }
}

TEST(ServerStartTest, BadOptionsAreRefused) {
  SimOptions o = TestOptions();
  o.faults = {"teapot"};
  EXPECT_FALSE(Server::Start(o));
  o = TestOptions();
  o.quota = "4/1y";
  EXPECT_FALSE(Server::Start(o));
  o = TestOptions();
  o.catalogues = {"/nonexistent/catalogue.json"};
  auto s = Server::Start(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  o = TestOptions();
  o.time_factor = 0;
  EXPECT_FALSE(Server::Start(o));
}

}  // namespace
}  // namespace honeyvt::vtsim
