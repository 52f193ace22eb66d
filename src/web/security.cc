#include "web/security.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "core/strings.h"

namespace honeyvt::web {
namespace {

constexpr int kMaxSessions = 64;
constexpr int kMaxFailuresPerMinute = 10;

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  std::size_t got = 0;
  while (got < bytes) {
    const ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  return HexEncode(raw);
}

std::string HostPart(std::string_view host_header) {
  std::string h(host_header);
  if (!h.empty() && h.front() == '[') {
    const auto close = h.find(']');
    return close == std::string::npos ? h : h.substr(1, close - 1);
  }
  const auto colon = h.rfind(':');
  return colon == std::string::npos ? h : h.substr(0, colon);
}

std::string Cookie(const Request& request, std::string_view name) {
  auto header = request.Header("cookie");
  if (!header) return "";
  for (const std::string& part : Split(*header, ';')) {
    const std::string kv = Trim(part);
    const auto eq = kv.find('=');
    if (eq != std::string::npos && kv.compare(0, eq, name) == 0) return kv.substr(eq + 1);
  }
  return "";
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  ListenAddress a;
  const std::string t(Trim(text));
  const auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "web: '" + t + "' is not HOST:PORT (e.g. 127.0.0.1:8787 or [::1]:8787)");
  };
  const auto colon = t.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad();
  a.host = t.substr(0, colon);
  if (a.host.front() == '[') {
    if (a.host.back() != ']') return bad();
    a.host = a.host.substr(1, a.host.size() - 2);
  } else if (a.host.find(':') != std::string::npos) {
    return bad();  // an IPv6 address needs brackets
  }
  auto port = ParseInt(t.substr(colon + 1));
  if (a.host.empty() || !port || *port < 0 || *port > 65535) return bad();
  a.port = static_cast<int>(*port);
  a.loopback = IsLoopbackHost(a.host);
  return a;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, dotted decimal only.
  const auto parts = Split(host, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  for (const auto& p : parts) {
    auto n = ParseInt(p);
    if (!n || *n < 0 || *n > 255 || p.empty() || p.size() > 3) return false;
  }
  return true;
}

Result<std::string> LoadOrCreateToken(const std::filesystem::path& path, bool create) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (!create) {
      return MakeError(ErrorCode::kNotFound, "web token file " + path.string() + " is missing");
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return MakeError(ErrorCode::kIo, "cannot create the web token file " + path.string());
    }
    const std::string token = RandomHex(32);
    const std::string line = token + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) return MakeError(ErrorCode::kIo, "cannot write the web token file " + path.string());
    return token;
  }
  if ((st.st_mode & 077) != 0) {
    return MakeError(ErrorCode::kForbidden,
                     "web token file " + path.string() +
                         " may be read by other users; chmod 600 it (or delete it: a new one is "
                         "created)");
  }
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  token = Trim(token);
  if (token.size() < 32) {
    return MakeError(ErrorCode::kInvalidArgument, "web token file " + path.string() +
                                                      ": the token must be at least 32 characters");
  }
  return token;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

void AddSecurityHeaders(Response& r) {
  r.SetHeader("Content-Security-Policy", kContentSecurityPolicy);
  r.SetHeader("X-Content-Type-Options", "nosniff");
  r.SetHeader("Referrer-Policy", "no-referrer");
  r.SetHeader("X-Frame-Options", "DENY");
  r.SetHeader("Cross-Origin-Opener-Policy", "same-origin");
  r.SetHeader("Cross-Origin-Resource-Policy", "same-origin");
  r.SetHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
}

std::string CsvSafe(std::string_view text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    std::string out(1, '\'');  // appended: "'" + std::string trips GCC 12's -Wrestrict at -O3
    out += text;
    return out;
  }
  return std::string(text);
}

Gate::Gate(Config config, Clock& clock) : config_(std::move(config)), clock_(clock) {}

bool Gate::HostAllowed(std::string_view host) const {
  const std::string port = std::to_string(config_.port);
  for (const char* h : {"127.0.0.1", "localhost", "[::1]"}) {
    if (host == std::string(h) + ":" + port) return true;
  }
  if (!config_.listen.loopback) {
    const bool v6 = config_.listen.host.find(':') != std::string::npos;
    const std::string bound = v6 ? "[" + config_.listen.host + "]" : config_.listen.host;
    if (host == bound + ":" + port) return true;
  }
  const std::string name = ToLower(HostPart(host));
  for (const std::string& extra : config_.hosts) {
    if (!name.empty() && name == ToLower(extra)) return true;
  }
  return false;
}

bool Gate::OriginAllowed(std::string_view origin) const {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.substr(0, scheme.size()) == scheme && HostAllowed(origin.substr(scheme.size()))) {
      return true;
    }
  }
  return false;
}

bool Gate::BearerValid(const Request& request) const {
  auto auth = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!auth || auth->compare(0, kBearer.size(), kBearer) != 0) return false;
  return ConstantTimeEquals(std::string_view(*auth).substr(kBearer.size()), config_.token);
}

std::optional<Session> Gate::SessionOf(const Request& request) {
  const std::string id = Cookie(request, "honeyvt_session");
  if (id.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.expires <= clock_.Now()) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [key, s] : sessions_) {
    if (ConstantTimeEquals(key, id)) return s;
  }
  return std::nullopt;
}

Result<Session> Gate::Login(std::string_view token) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  std::erase_if(failures_, [&](TimePoint t) { return now - t > std::chrono::minutes(1); });
  if (static_cast<int>(failures_.size()) >= kMaxFailuresPerMinute) {
    return MakeError(ErrorCode::kRateLimited, "too many failed logins; wait a minute");
  }
  if (!ConstantTimeEquals(Trim(token), config_.token)) {
    failures_.push_back(now);
    return MakeError(ErrorCode::kInvalidArgument, "wrong token");
  }
  if (static_cast<int>(sessions_.size()) >= kMaxSessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.expires < b.second.expires;
    });
    sessions_.erase(oldest);
  }
  Session s{RandomHex(32), RandomHex(32), now + config_.session_lifetime};
  sessions_[s.id] = s;
  return s;
}

void Gate::Logout(const Request& request) {
  const std::string id = Cookie(request, "honeyvt_session");
  std::lock_guard lock(mu_);
  sessions_.erase(id);
}

std::string Gate::SessionCookie(const Session& s) {
  return "honeyvt_session=" + s.id + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200";
}

std::optional<Response> Gate::Check(const Request& request, Access access) {
  const std::string host = request.Header("host").value_or("");
  if (!HostAllowed(host)) {
    return ErrorResponse(421, "this server does not answer to the Host it was asked for");
  }
  if (access == Access::kPublic) return std::nullopt;
  const std::string fetch_site = request.Header("sec-fetch-site").value_or("");
  const auto origin = request.Header("origin");
  if (access == Access::kRead) {
    if (!config_.login_required || BearerValid(request) || SessionOf(request)) return std::nullopt;
    if (request.path.rfind("/api/", 0) == 0 || request.path == "/metrics") {
      return ErrorResponse(401, "log in first (or send Authorization: Bearer <token>)");
    }
    Response r;
    r.status = 303;
    r.content_type = "text/plain";
    r.body = "log in first\n";
    r.SetHeader("Location", "/login");
    return r;
  }
  if (access == Access::kAction && BearerValid(request)) return std::nullopt;
  // Browsers: the request must come from one of our own pages.
  if (fetch_site != "same-origin" && !(fetch_site.empty() && access == Access::kLogin)) {
    return ErrorResponse(403, "refused: Sec-Fetch-Site is '" + fetch_site +
                                  "', only same-origin requests may change anything");
  }
  if (origin && !OriginAllowed(*origin)) {
    return ErrorResponse(403, "refused: the request comes from another origin");
  }
  if (access == Access::kLogin) return std::nullopt;
  auto session = SessionOf(request);
  if (!session) return ErrorResponse(401, "log in with the access token to act");
  const std::string csrf = request.Header("x-honeyvt-csrf").value_or("");
  if (!ConstantTimeEquals(csrf, session->csrf)) {
    return ErrorResponse(403, "refused: missing or wrong X-Honeyvt-CSRF token");
  }
  const std::string type = request.Header("content-type").value_or("");
  if (type.rfind("application/json", 0) != 0) {
    return ErrorResponse(415, "actions take a JSON body (Content-Type: application/json)");
  }
  return std::nullopt;
}

}  // namespace honeyvt::web
