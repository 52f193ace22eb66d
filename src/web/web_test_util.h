#pragma once
// Test support: a WebApp on temporary databases and raw HTTP requests to it over loopback.

#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/testing.h"
#include "web/app.h"

namespace honeyvt::web::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& name) const;
};

// One request with exactly these headers (Host included: tests forge it).
HttpReply Send(int port, const std::string& method, const std::string& path,
               const std::map<std::string, std::string>& headers, const std::string& body = "",
               const std::string& content_type = "");

// A dashboard on a fresh logsql (dionaea schema) and state database in a temp dir.
class TestApp {
 public:
  explicit TestApp(const std::string& listen = "127.0.0.1:0", bool follow = false);
  Options& options() { return options_; }
  WebApp& app() { return *app_; }
  int port() const { return app_->port(); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port()); }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // GET with a correct Host header.
  HttpReply Get(const std::string& path, std::map<std::string, std::string> headers = {});
  // Logs in with the token file; returns {cookie, csrf}.
  std::pair<std::string, std::string> Login();
  // A same-origin action as a browser sends it.
  HttpReply Act(const std::string& path, const std::string& json);
  std::string Token() const;

 private:
  honeyvt::testing::TempDir dir_;
  Options options_;
  SystemClock clock_;
  std::unique_ptr<WebApp> app_;
  std::string cookie_, csrf_;
};

}  // namespace honeyvt::web::testing
