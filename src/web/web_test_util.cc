#include "web/web_test_util.h"

#include "core/strings.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "store/logsql.h"

namespace honeyvt::web::testing {

std::string HttpReply::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpReply Send(int port, const std::string& method, const std::string& path,
               const std::map<std::string, std::string>& headers, const std::string& body,
               const std::string& content_type) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(20);
  httplib::Headers h;
  for (const auto& [k, v] : headers) h.emplace(k, v);
  auto call = [&]() -> httplib::Result {
    if (method == "GET") return client.Get(path.c_str(), h);
    if (method == "POST") {
      return client.Post(path.c_str(), h, body,
                         content_type.empty() ? "text/plain" : content_type.c_str());
    }
    if (method == "PUT") return client.Put(path.c_str(), h, body, "text/plain");
    return client.Delete(path.c_str(), h);
  };
  httplib::Result r = call();
  HttpReply reply;
  if (!r) return reply;
  reply.status = r->status;
  reply.body = r->body;
  for (const auto& [k, v] : r->headers) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = v;
  }
  return reply;
}

TestApp::TestApp(const std::string& listen, bool follow) {
  options_.logsql = dir_ / "dionaea.sqlite";
  options_.state = dir_ / "state.sqlite";
  options_.quota = {"4/1m", "500/1d"};
  {
    auto created = store::Logsql::Create(options_.logsql);
    EXPECT_TRUE(created.has_value());
  }
  WebConfig config;
  config.options = options_;
  config.listen = listen;
  config.follow = follow;
  auto started = WebApp::Start(config, clock_);
  if (!started) ADD_FAILURE() << started.error().ToString();
  if (started) app_ = std::move(*started);
}

HttpReply TestApp::Get(const std::string& path, std::map<std::string, std::string> headers) {
  headers.emplace("Host", host());
  if (!cookie_.empty()) headers.emplace("Cookie", cookie_);
  return Send(port(), "GET", path, headers);
}

std::string TestApp::Token() const { return Trim(honeyvt::testing::ReadFile(app_->token_file())); }

std::pair<std::string, std::string> TestApp::Login() {
  const std::string body = nlohmann::json{{"token", Token()}}.dump();
  HttpReply r =
      Send(port(), "POST", "/login", {{"Host", host()}, {"Sec-Fetch-Site", "same-origin"}}, body,
           "application/json");
  EXPECT_EQ(r.status, 200) << r.body;
  const std::string set = r.Header("set-cookie");
  cookie_ = set.substr(0, set.find(';'));
  HttpReply s = Send(port(), "GET", "/api/v1/session", {{"Host", host()}, {"Cookie", cookie_}});
  csrf_ = nlohmann::json::parse(s.body)["csrf"].get<std::string>();
  return {cookie_, csrf_};
}

HttpReply TestApp::Act(const std::string& path, const std::string& json) {
  if (cookie_.empty()) Login();
  return Send(port(), "POST", path,
              {{"Host", host()},
               {"Cookie", cookie_},
               {"X-Honeyvt-CSRF", csrf_},
               {"Sec-Fetch-Site", "same-origin"},
               {"Origin", "http://" + host()}},
              json, "application/json");
}

}  // namespace honeyvt::web::testing
