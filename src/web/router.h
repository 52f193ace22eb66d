#pragma once
// Routes: a method, a path template whose "{name}" segments match one path segment each,
// and a handler. The template (not the path) names the route in metrics, so labels stay
// bounded whatever clients request.

#include <functional>
#include <string>
#include <vector>

#include "web/http.h"

namespace honeyvt::web {

using Handler = std::function<Response(const Request&)>;

// What a route needs before its handler runs (checked by the server, security.h).
enum class Access {
  kRead,    // GET/HEAD: pages, JSON, assets
  kAction,  // POST that changes state: session + CSRF token + Sec-Fetch-Site same-origin
  kLogin,   // POST /login: Sec-Fetch-Site same-origin, no session yet
  kPublic,  // reachable without a session even when login is required (login page, healthz)
};

struct Route {
  std::string method;
  std::string pattern;  // e.g. "/api/v1/samples/{hash}"; "/static/*" matches a prefix
  Access access = Access::kRead;
  Handler handler;
};

class Router {
 public:
  void Add(Route route) { routes_.push_back(std::move(route)); }
  // The route matching method and path, with its {segments} captured into `params`.
  // `method_mismatch` is set when the path matches a route of another method (405).
  const Route* Match(const std::string& method, const std::string& path,
                     std::vector<std::string>& params, bool& method_mismatch) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace honeyvt::web
