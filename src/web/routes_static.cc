// Static routes: the embedded assets, the HTML shell of every page, login and logout,
// /healthz and the session endpoint.
#include <nlohmann/json.hpp>

#include <map>

#include "core/digest.h"
#include "web/embedded_assets.h"
#include "web/routes.h"

namespace honeyvt::web {
namespace {

std::string MimeOf(std::string_view path) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".txt", "text/plain; charset=utf-8"},
      {".json", "application/json"}};
  const auto dot = path.rfind('.');
  if (dot != std::string_view::npos) {
    if (auto it = kTypes.find(path.substr(dot)); it != kTypes.end()) return it->second;
  }
  return "application/octet-stream";
}

struct Asset {
  std::string_view data;
  std::string type;
  std::string etag;
};

const std::map<std::string, Asset, std::less<>>& Assets() {
  static const auto* assets = [] {
    // Never destroyed: server threads may still read it while the process exits.
    // NOLINTNEXTLINE(cppcoreguidelines-owning-memory)
    auto* m = new std::map<std::string, Asset, std::less<>>();
    for (const EmbeddedAsset& a : EmbeddedAssets()) {
      const std::string hash = DigestBytes(a.data).sha256.substr(0, 20);
      (*m)[std::string(a.path)] = Asset{a.data, MimeOf(a.path), "\"" + hash + "\""};
    }
    return m;
  }();
  return *assets;
}

// The page shell: constant text plus the page name from the fixed list below.
std::string Shell(std::string_view page, std::string_view title, bool chart) {
  std::string html =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>honeyvt: ";
  html += title;
  html +=
      "</title>\n<link rel=\"icon\" href=\"data:,\">\n"
      "<link rel=\"stylesheet\" href=\"/static/vendor/uPlot.min.css\">\n"
      "<link rel=\"stylesheet\" href=\"/static/css/app.css\">\n";
  if (chart) html += "<script src=\"/static/vendor/uPlot.iife.min.js\"></script>\n";
  html += "<script type=\"module\" src=\"/static/js/page-";
  html += page;
  html += ".js\"></script>\n</head>\n<body data-page=\"";
  html += page;
  html +=
      "\">\n<noscript><p>This dashboard needs JavaScript. Every table is also available as JSON "
      "under /api/v1/ (see docs/web.md).</p></noscript>\n</body>\n</html>\n";
  return html;
}

Response Page(std::string_view page, std::string_view title, bool chart) {
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = Shell(page, title, chart);
  return r;
}

}  // namespace

std::optional<std::string_view> AssetBytes(std::string_view path) {
  const auto& assets = Assets();
  auto it = assets.find(path);
  if (it == assets.end()) return std::nullopt;
  return it->second.data;
}

void AddStaticRoutes(Router& router, Context& ctx) {
  router.Add({"GET", "/static/*", Access::kPublic, [](const Request& req) {
                const auto& assets = Assets();
                auto it = assets.find(req.path_params.at(0));
                if (it == assets.end()) return ErrorResponse(404, "no such file");
                Response r;
                r.SetHeader("ETag", it->second.etag);
                r.SetHeader("Cache-Control", "no-cache");
                if (req.Header("if-none-match") == it->second.etag) {
                  r.status = 304;
                  r.content_type = it->second.type;
                  return r;
                }
                r.content_type = it->second.type;
                r.body = std::string(it->second.data);
                return r;
              }});
  struct PageDef {
    const char* pattern;
    const char* page;
    const char* title;
    bool chart;
  };
  static constexpr PageDef kPages[] = {
      {"/", "overview", "overview", true},
      {"/samples", "samples", "samples", false},
      {"/samples/{hash}", "sample", "sample", true},
      {"/attacks", "attacks", "attacks", false},
      {"/attacks/{id}", "tree", "attack tree", false},
      {"/queue", "queue", "queue", true},
      {"/quota", "quota", "quota", true},
      {"/reports", "reports", "reports", true},
      {"/reports/{name}", "reports", "reports", true},
      {"/status", "status", "status", false},
  };
  for (const PageDef& p : kPages) {
    router.Add({"GET", p.pattern, Access::kRead,
                [page = p.page, title = p.title, chart = p.chart](const Request&) {
                  return Page(page, title, chart);
                }});
  }
  router.Add({"GET", "/login", Access::kPublic,
              [](const Request&) { return Page("login", "log in", false); }});
  router.Add({"POST", "/login", Access::kLogin, [&ctx](const Request& req) {
                nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
                std::string token;
                if (body.is_object() && body.contains("token") && body["token"].is_string()) {
                  token = body["token"].get<std::string>();
                }
                auto session = ctx.gate()->Login(token);
                if (!session) {
                  return ErrorResponse(session.error().code == ErrorCode::kRateLimited ? 429 : 403,
                                       session.error().message);
                }
                Response r;
                r.body = nlohmann::json{{"ok", true}}.dump();
                r.SetHeader("Set-Cookie", Gate::SessionCookie(*session));
                return r;
              }});
  router.Add({"POST", "/logout", Access::kAction, [&ctx](const Request& req) {
                ctx.gate()->Logout(req);
                Response r;
                r.body = nlohmann::json{{"ok", true}}.dump();
                r.SetHeader("Set-Cookie",
                            "honeyvt_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
                return r;
              }});
  router.Add({"GET", "/api/v1/session", Access::kPublic, [&ctx](const Request& req) {
                Gate* gate = ctx.gate();
                auto session = gate->SessionOf(req);
                nlohmann::json j;
                j["logged_in"] = session.has_value();
                j["csrf"] = session ? session->csrf : "";
                j["login_required"] = gate->login_required();
                j["actions_enabled"] = ctx.actions_enabled;
                j["simulated"] = ctx.simulated;
                j["in_daemon"] = ctx.in_daemon;
                j["version"] = ctx.version;
                j["api_version"] = ctx.options.api_version;
                Response r;
                r.body = j.dump();
                return r;
              }});
  router.Add({"GET", "/healthz", Access::kPublic, [](const Request&) {
                Response r;
                r.content_type = "text/plain; charset=utf-8";
                r.body = "ok\n";
                return r;
              }});
}

}  // namespace honeyvt::web
