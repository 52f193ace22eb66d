#include "web/security.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/testing.h"

namespace honeyvt::web {
namespace {

TEST(SecurityTest, ParsesListenAddressesAndKnowsLoopback) {
  auto a = ParseListenAddress("127.0.0.1:8787");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8787);
  EXPECT_TRUE(a->loopback);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(v6->loopback);
  auto any = ParseListenAddress("0.0.0.0:8787");
  ASSERT_TRUE(any.has_value());
  EXPECT_FALSE(any->loopback);
  for (const char* bad : {"8787", ":8787", "127.0.0.1:", "127.0.0.1:99999", "::1:80", "x:y"}) {
    EXPECT_FALSE(ParseListenAddress(bad).has_value()) << bad;
  }
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.evil.example"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
}

TEST(SecurityTest, TokenFileIsCreated0600AndRefusedWhenOthersMayReadIt) {
  honeyvt::testing::TempDir dir;
  const auto path = dir / "token";
  auto created = LoadOrCreateToken(path, true);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreateToken(path, true);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *created);
  ::chmod(path.c_str(), 0644);
  auto refused = LoadOrCreateToken(path, true);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(LoadOrCreateToken(dir / "missing", false).has_value());
}

TEST(SecurityTest, CsvCellsThatASpreadsheetWouldRunAreNeutralised) {
  EXPECT_EQ(CsvSafe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
  for (const char* s : {"+1", "-1", "@SUM(A1)", "\tx", "\rx"}) EXPECT_EQ(CsvSafe(s)[0], '\'');
  EXPECT_EQ(CsvSafe("Trojan.Win32"), "Trojan.Win32");
}

Request Make(std::string method, std::map<std::string, std::string> headers) {
  Request r;
  r.method = std::move(method);
  r.path = "/api/v1/actions/retry";
  r.headers = std::move(headers);
  return r;
}

TEST(SecurityTest, GateAllowsOnlyOurHostsAndSameOriginActionsWithTheSessionToken) {
  SystemClock clock;
  Gate::Config c;
  c.listen = *ParseListenAddress("127.0.0.1:0");
  c.port = 8787;
  c.hosts = {"honeypot.example.org"};
  c.token = std::string(64, 'a');
  Gate gate(c, clock);
  EXPECT_TRUE(gate.HostAllowed("127.0.0.1:8787"));
  EXPECT_TRUE(gate.HostAllowed("localhost:8787"));
  EXPECT_TRUE(gate.HostAllowed("[::1]:8787"));
  EXPECT_TRUE(gate.HostAllowed("honeypot.example.org"));
  EXPECT_TRUE(gate.HostAllowed("HONEYPOT.example.org:443"));
  EXPECT_FALSE(gate.HostAllowed("127.0.0.1:8788"));
  EXPECT_FALSE(gate.HostAllowed("rebind.attacker.example:8787"));
  EXPECT_FALSE(gate.HostAllowed(""));

  auto session = gate.Login(c.token);
  ASSERT_TRUE(session.has_value());
  const std::string cookie = "honeyvt_session=" + session->id;
  const std::map<std::string, std::string> good = {
      {"host", "127.0.0.1:8787"},          {"cookie", cookie},
      {"x-honeyvt-csrf", session->csrf},   {"sec-fetch-site", "same-origin"},
      {"origin", "http://127.0.0.1:8787"}, {"content-type", "application/json"}};
  EXPECT_FALSE(gate.Check(Make("POST", good), Access::kAction).has_value());
  auto without = [&](const std::string& key, const std::string& value) {
    auto h = good;
    if (value.empty()) {
      h.erase(key);
    } else {
      h[key] = value;
    }
    return gate.Check(Make("POST", h), Access::kAction);
  };
  EXPECT_EQ(without("x-honeyvt-csrf", "")->status, 403);
  EXPECT_EQ(without("x-honeyvt-csrf", std::string(64, '0'))->status, 403);
  EXPECT_EQ(without("sec-fetch-site", "same-site")->status, 403);  // another port of 127.0.0.1
  EXPECT_EQ(without("sec-fetch-site", "cross-site")->status, 403);
  EXPECT_EQ(without("sec-fetch-site", "")->status, 403);
  EXPECT_EQ(without("origin", "http://127.0.0.1:9999")->status, 403);
  EXPECT_EQ(without("cookie", "")->status, 401);
  EXPECT_EQ(without("host", "evil.example")->status, 421);
  EXPECT_EQ(without("content-type", "text/plain")->status, 415);
  // A script with the bearer token needs neither cookie nor CSRF header.
  EXPECT_FALSE(
      gate.Check(Make("POST", {{"host", "127.0.0.1:8787"}, {"authorization", "Bearer " + c.token}}),
                 Access::kAction)
          .has_value());
  EXPECT_EQ(gate.Check(Make("POST", {{"host", "127.0.0.1:8787"},
                                     {"authorization", "Bearer " + std::string(64, 'b')}}),
                       Access::kAction)
                ->status,
            403);
}

TEST(SecurityTest, LoginIsRateLimitedAndReadingNeedsASessionWhenExposed) {
  SystemClock clock;
  Gate::Config c;
  c.listen = *ParseListenAddress("0.0.0.0:8787");
  c.port = 8787;
  c.token = std::string(64, 'a');
  c.login_required = true;
  Gate gate(c, clock);
  EXPECT_TRUE(gate.HostAllowed("0.0.0.0:8787"));
  Request page = Make("GET", {{"host", "127.0.0.1:8787"}});
  page.path = "/samples";
  EXPECT_EQ(gate.Check(page, Access::kRead)->status, 303);
  page.path = "/api/v1/overview";
  EXPECT_EQ(gate.Check(page, Access::kRead)->status, 401);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(gate.Login("wrong").has_value());
  auto limited = gate.Login(c.token);
  ASSERT_FALSE(limited.has_value());
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
}

}  // namespace
}  // namespace honeyvt::web
