// The dashboard over real HTTP on loopback: headers, Host and CSRF refusals, assets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/strings.h"
#include "core/testing.h"
#include "web/embedded_assets.h"
#include "web/routes.h"
#include "web/server.h"
#include "web/web_test_util.h"

namespace honeyvt::web {
namespace {

using testing::Send;
using testing::TestApp;

TEST(WebServerTest, EveryAnswerCarriesTheSecurityHeaders) {
  TestApp t;
  for (const char* path :
       {"/", "/samples", "/static/js/lib.js", "/api/v1/session", "/nope", "/metrics", "/healthz"}) {
    auto r = t.Get(path);
    EXPECT_NE(r.status, 0) << path;
    EXPECT_EQ(r.Header("content-security-policy"), kContentSecurityPolicy) << path;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << path;
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer") << path;
    EXPECT_EQ(r.Header("x-frame-options"), "DENY") << path;
    EXPECT_EQ(r.Header("access-control-allow-origin"), "") << path;
  }
  EXPECT_EQ(t.Get("/nope").status, 404);
  auto page = t.Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);  // no inline script
  EXPECT_EQ(page.body.find("style="), std::string::npos);    // no inline style
  EXPECT_NE(page.body.find("src=\"/static/js/page-overview.js\""), std::string::npos);
}

// Regression: httplib's error handler used to replace every error answer's body.
TEST(WebServerTest, ErrorAnswersKeepTheirMessage) {
  TestApp t;
  auto missing = t.Get("/api/v1/reports/undetected");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, R"x({"error":"give a vendor"})x");
  EXPECT_EQ(t.Get("/nope").body, R"x({"error":"no such page"})x");
  auto big =
      Send(t.port(), "POST", "/login", {{"Host", t.host()}, {"Sec-Fetch-Site", "same-origin"}},
           std::string(std::size_t{200} * 1024, 'x'), "application/json");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.body, R"x({"error":"request refused (413)"})x");
  EXPECT_EQ(big.Header("x-content-type-options"), "nosniff");
}

// A cached report's rows (megabytes) go out from where they are kept, never copied:
// body, shared part and tail arrive whole and in order, across many 1 MB slices.
TEST(WebServerTest, ASharedPartIsSentWholeBetweenBodyAndTail) {
  std::string big(std::size_t{5} * 1024 * 1024 + 12345, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  auto shared = std::make_shared<const std::string>(big);
  Router router;
  router.Add({"GET", "/big", Access::kRead, [shared](const Request&) {
                Response r;
                r.body = "[\"";
                r.shared = shared;
                r.tail = "\"]";
                return r;
              }});
  SystemClock clock;
  auto server = HttpServer::Start(
      ParseListenAddress("127.0.0.1:0").value(), router,
      [&clock](int port) {
        Gate::Config config;
        config.listen = ParseListenAddress("127.0.0.1:0").value();
        config.port = port;
        return std::make_unique<Gate>(config, clock);
      },
      HttpMetrics{});
  ASSERT_TRUE(server) << server.error().ToString();
  const std::string host = "127.0.0.1:" + std::to_string((*server)->port());
  for (int i = 0; i < 2; ++i) {  // twice: the kept part is not consumed by the first
    auto r = Send((*server)->port(), "GET", "/big", {{"Host", host}});
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-length"), std::to_string(big.size() + 4));
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    ASSERT_EQ(r.body.size(), big.size() + 4);
    EXPECT_TRUE(r.body == "[\"" + big + "\"]");  // not EXPECT_EQ: 5 MB in a failure message
  }
}

TEST(WebServerTest, AForeignHostIsRefused) {
  TestApp t;
  for (const char* host : {"evil.example", "evil.example:", "127.0.0.1:1", "attacker.test"}) {
    auto r = Send(t.port(), "GET", "/api/v1/session", {{"Host", host}});
    EXPECT_EQ(r.status, 421) << host;
    EXPECT_EQ(r.body.find("csrf\":\""), std::string::npos);
  }
  EXPECT_EQ(Send(t.port(), "GET", "/", {{"Host", "localhost:" + std::to_string(t.port())}}).status,
            200);
}

TEST(WebServerTest, AssetsAreEmbeddedWithTypesAndRevalidation) {
  TestApp t;
  auto js = t.Get("/static/js/lib.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, std::string(*AssetBytes("js/lib.js")));
  const std::string etag = js.Header("etag");
  EXPECT_FALSE(etag.empty());
  EXPECT_EQ(t.Get("/static/js/lib.js", {{"If-None-Match", etag}}).status, 304);
  EXPECT_EQ(t.Get("/static/vendor/uPlot.iife.min.js").body.size(), 51081u);
  EXPECT_EQ(t.Get("/static/../CMakeLists.txt").status, 404);
  EXPECT_EQ(t.Get("/static/js/nope.js").status, 404);
}

TEST(WebServerTest, LoginGivesAnHttpOnlyStrictCookieAndAWrongTokenNothing) {
  TestApp t;
  const std::string host = t.host();
  auto wrong = Send(t.port(), "POST", "/login", {{"Host", host}, {"Sec-Fetch-Site", "same-origin"}},
                    R"({"token":"0000"})", "application/json");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.Header("set-cookie"), "");
  auto cross = Send(t.port(), "POST", "/login", {{"Host", host}, {"Sec-Fetch-Site", "same-site"}},
                    nlohmann::json{{"token", t.Token()}}.dump(), "application/json");
  EXPECT_EQ(cross.status, 403);
  auto ok = Send(t.port(), "POST", "/login", {{"Host", host}, {"Sec-Fetch-Site", "same-origin"}},
                 nlohmann::json{{"token", t.Token()}}.dump(), "application/json");
  ASSERT_EQ(ok.status, 200);
  const std::string cookie = ok.Header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  auto session = t.Get("/api/v1/session", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  auto j = nlohmann::json::parse(session.body);
  EXPECT_TRUE(j["logged_in"].get<bool>());
  EXPECT_EQ(j["csrf"].get<std::string>().size(), 64u);
  auto anonymous = nlohmann::json::parse(t.Get("/api/v1/session").body);
  EXPECT_FALSE(anonymous["logged_in"].get<bool>());
  EXPECT_EQ(anonymous["csrf"].get<std::string>(), "");
}

TEST(WebServerTest, OverSizeBodiesAreRefused) {
  TestApp t;
  auto r = Send(t.port(), "POST", "/login", {{"Host", t.host()}, {"Sec-Fetch-Site", "same-origin"}},
                std::string(std::size_t{200} * 1024, 'x'), "application/json");
  EXPECT_EQ(r.status, 413);
}

TEST(WebServerTest, RefusesToListenBeyondLoopbackWithoutATokenFile) {
  honeyvt::testing::TempDir dir;
  WebConfig config;
  config.options.logsql = dir / "l.sqlite";
  config.options.state = dir / "s.sqlite";
  config.listen = "0.0.0.0:0";
  SystemClock clock;
  auto refused = WebApp::Start(config, clock);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("web_token_file"), std::string::npos);
}

TEST(WebServerTest, ExposedServerNeedsALoginForEveryPageButHealthz) {
  honeyvt::testing::TempDir dir;
  WebConfig config;
  config.options.logsql = dir / "l.sqlite";
  config.options.state = dir / "s.sqlite";
  config.options.web_token_file = dir / "token";
  config.listen = "0.0.0.0:0";
  SystemClock clock;
  auto app = WebApp::Start(config, clock);
  ASSERT_TRUE(app.has_value()) << app.error().ToString();
  const int port = (*app)->port();
  const std::string host = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(Send(port, "GET", "/metrics", {{"Host", host}}).status, 401);
  EXPECT_EQ(Send(port, "GET", "/samples", {{"Host", host}}).status, 303);
  EXPECT_EQ(Send(port, "GET", "/healthz", {{"Host", host}}).status, 200);
  const std::string token = Trim(honeyvt::testing::ReadFile(dir / "token"));
  EXPECT_EQ(
      Send(port, "GET", "/metrics", {{"Host", host}, {"Authorization", "Bearer " + token}}).status,
      200);
}

}  // namespace
}  // namespace honeyvt::web

namespace honeyvt::web {
namespace {

// The pages insert data as DOM text only: no HTML-parsing sink appears in our scripts
// (comments aside), and none loads code from elsewhere.
TEST(WebAssetsTest, ScriptsUseNoHtmlSinksAndLoadNothingFromOutside) {
  int scripts = 0;
  for (const EmbeddedAsset& a : EmbeddedAssets()) {
    if (!a.path.ends_with(".js") || a.path.starts_with("vendor/")) continue;
    ++scripts;
    std::size_t start = 0;
    while (start < a.data.size()) {
      std::size_t end = a.data.find('\n', start);
      if (end == std::string_view::npos) end = a.data.size();
      std::string_view line = a.data.substr(start, end - start);
      start = end + 1;
      const auto first = line.find_first_not_of(' ');
      if (first != std::string_view::npos && line.substr(first, 2) == "//") continue;
      for (const char* sink :
           {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
            "new Function", "http://", "setAttribute('style'", "setAttribute('on"}) {
        EXPECT_EQ(line.find(sink), std::string_view::npos) << a.path << ": " << line;
      }
    }
  }
  EXPECT_GE(scripts, 9);
}

}  // namespace
}  // namespace honeyvt::web
