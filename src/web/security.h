#pragma once
// The dashboard's defences (docs/web.md, "Security"). Every string it shows was written by
// an attacker and it runs on a box that is attacked all day, so:
//  - it answers only to the Host names it serves (DNS rebinding): 421 otherwise;
//  - reading is open on a loopback address and needs a session (login with the token) or a
//    bearer token anywhere else; the server refuses to start on a non-loopback address
//    without a token file;
//  - state changes are POSTs that need a session cookie (HttpOnly, SameSite=Strict), the
//    session's CSRF token in the X-Honeyvt-CSRF header and Sec-Fetch-Site: same-origin (a
//    page on another port of 127.0.0.1 is "same-site" to the browser, so same-site is
//    refused), or an `Authorization: Bearer <token>` (scripts; browsers never add it);
//  - every response carries a strict Content-Security-Policy and the other headers below.
// Thread-safe.

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "web/http.h"
#include "web/router.h"

namespace honeyvt::web {

struct ListenAddress {
  std::string host;  // as given, without brackets ("127.0.0.1", "::1", "localhost")
  int port = 0;      // 0 = any free port
  bool loopback = false;
};

// "HOST:PORT" or "[V6]:PORT". kInvalidArgument naming the text otherwise.
Result<ListenAddress> ParseListenAddress(std::string_view text);
bool IsLoopbackHost(std::string_view host);

// Reads the token (64 hex digits, first line) from `path`; with `create`, a missing file is
// created with a fresh random token, mode 0600. A file that others may read is refused.
Result<std::string> LoadOrCreateToken(const std::filesystem::path& path, bool create);

// Equal length and bytes, in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The headers every response gets (CSP, nosniff, no-referrer, frame-ancestors none, ...).
void AddSecurityHeaders(Response& response);
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; require-trusted-types-for 'script'";

// Neutralises text for a CSV cell: a leading = + - @ TAB or CR gets a '.
std::string CsvSafe(std::string_view text);

struct Session {
  std::string id;
  std::string csrf;
  TimePoint expires{};
};

class Gate {
 public:
  struct Config {
    ListenAddress listen;
    int port = 0;                    // the bound port
    std::vector<std::string> hosts;  // extra Host names (any port)
    std::string token;               // the access token
    bool login_required = false;     // reading needs a session or bearer (non-loopback)
    std::chrono::hours session_lifetime{12};
  };
  Gate(Config config, Clock& clock);

  // Whether `host` (a Host header) is one this server answers to.
  bool HostAllowed(std::string_view host) const;
  // nullopt: the request may proceed to its handler; otherwise the refusal to send.
  std::optional<Response> Check(const Request& request, Access access);

  // Login: checks the token (rate-limited) and creates a session. kInvalidArgument for a
  // wrong token, kRateLimited after too many failures.
  Result<Session> Login(std::string_view token);
  void Logout(const Request& request);
  // The session of the request's cookie, if valid.
  std::optional<Session> SessionOf(const Request& request);
  bool BearerValid(const Request& request) const;
  bool login_required() const { return config_.login_required; }
  static std::string SessionCookie(const Session& session);

 private:
  bool OriginAllowed(std::string_view origin) const;
  Config config_;
  Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;  // guarded by mu_
  std::vector<TimePoint> failures_;          // guarded by mu_: failed logins, last minute
};

}  // namespace honeyvt::web
