// The plain-http rule: the API key goes in clear only to loopback, decided from the host
// libcurl's URL parser splits off (vt/loopback.h), never from a prefix of the text.

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "vt/loopback.h"
#include "vt/transport.h"

namespace honeyvt::vt {
namespace {

using namespace std::chrono_literals;

bool Allowed(const std::string& url) { return static_cast<bool>(CheckTransportUrl(url)); }

TEST(LoopbackHostTest, LiteralsAndLocalhost) {
  for (const char* ok : {"127.0.0.1", "127.255.255.254", "127.1.2.3", "localhost", "LOCALHOST",
                         "LocalHost", "[::1]", "[0:0:0:0:0:0:0:1]", "[0000::0001]"}) {
    EXPECT_TRUE(IsLoopbackHost(ok)) << ok;
  }
  for (const char* bad : {"",
                          "127.evil.test",
                          "127.0.0.1.evil.test",
                          "localhost.evil.test",
                          "evil.localhost",
                          "localhost.",
                          "127.0.0.1.",
                          "128.0.0.1",
                          "10.0.0.1",
                          "0.0.0.0",
                          "126.255.255.255",
                          "[::ffff:127.0.0.1]",
                          "[::127.0.0.1]",
                          "[::2]",
                          "[::1",
                          "::1",
                          "[::1%25lo]",
                          "%6c%6fcalhost",
                          "127.1",
                          "0x7f.0.0.1",
                          "2130706433",
                          "localhost\n",
                          " localhost"}) {
    EXPECT_FALSE(IsLoopbackHost(bad)) << bad;
  }
}

// Before: a "127." prefix of the host name let plain http through to any such name.
TEST(UrlPolicyTest, HostileBaseUrlsAreRefusedForPlainHttp) {
  for (const char* bad : {
           "http://127.evil.test/api/v3/",
           "http://127.0.0.1.evil.test/api/v3/",
           "http://127.0.0.1.nip.io/",
           "http://localhost.evil.test/",
           "http://LOCALHOST.evil.test/",
           "http://127.0.0.1@evil.test/",  // userinfo: the host is evil.test
           "http://127.0.0.1:80@evil.test/",
           "http://localhost:x@evil.test:8080/",
           "http://[::1]@evil.test/",
           "http://evil.test#@127.0.0.1/",
           "http://evil.test?@127.0.0.1/",
           "http://[::ffff:127.0.0.1]/",
           "http://[::ffff:7f00:1]/",
           "http://127.0.0.1./",
           "http://localhost./",
           "http://127.0.0.1%2eevil.test/",
           "http://%31%32%37.evil.test/",
           "http://0.0.0.0:8080/",
           "http://10.0.0.1/",
           "http://evil.test/127.0.0.1/",
       }) {
    auto st = CheckTransportUrl(bad);
    EXPECT_FALSE(st) << bad;
    if (!st) {
      EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument) << bad;
    }
  }
}

TEST(UrlPolicyTest, LoopbackAndHttpsAreAllowed) {
  for (const char* ok : {"http://127.0.0.1:8080/api/v3/", "http://127.3.2.1/", "http://localhost/",
                         "http://LOCALHOST:9/", "HTTP://127.0.0.1/", "http://[::1]:8080/",
                         "http://user@127.0.0.1/", "https://www.virustotal.com/api/v3/",
                         "https://127.evil.test/", "HTTPS://www.virustotal.com/vtapi/v2/"}) {
    EXPECT_TRUE(Allowed(ok)) << ok;
  }
  EXPECT_FALSE(Allowed("ftp://127.0.0.1/"));
  EXPECT_FALSE(Allowed("file:///etc/passwd"));
  EXPECT_FALSE(Allowed("https://"));
}

// A plain-http request to loopback never goes through a configured proxy, which would see
// the key in clear.
TEST(UrlPolicyTest, PlainHttpBypassesTheProxy) {
  std::atomic<int> proxied{0}, direct{0};
  httplib::Server proxy, target;
  proxy.set_error_handler([&](const httplib::Request&, httplib::Response& res) {
    ++proxied;
    res.status = 200;
    res.set_content("proxy", "text/plain");
  });
  proxy.Get(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++proxied;
    res.set_content("proxy", "text/plain");
  });
  target.Get("/x", [&](const httplib::Request&, httplib::Response& res) {
    ++direct;
    res.set_content("target", "text/plain");
  });
  const int proxy_port = proxy.bind_to_any_port("127.0.0.1");
  const int target_port = target.bind_to_any_port("127.0.0.1");
  std::thread pt([&] { proxy.listen_after_bind(); });
  std::thread tt([&] { target.listen_after_bind(); });
  while (!proxy.is_running() || !target.is_running()) std::this_thread::sleep_for(1ms);
  CurlOptions o;
  o.proxy = "http://127.0.0.1:" + std::to_string(proxy_port);
  auto transport = MakeCurlTransport(o);
  ASSERT_TRUE(transport);
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(target_port) + "/x";
  r.headers = {{"x-apikey", "loopback-key"}};
  auto reply = (*transport)->Send(r);
  proxy.stop();
  target.stop();
  pt.join();
  tt.join();
  ASSERT_TRUE(reply) << reply.error().ToString();
  EXPECT_EQ(reply->body, "target");
  EXPECT_EQ(direct.load(), 1);
  EXPECT_EQ(proxied.load(), 0);
}

}  // namespace
}  // namespace honeyvt::vt
