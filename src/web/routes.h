#pragma once
// The dashboard's routes, one Add*Routes function per file (routes_*.cc, api_*.cc).
// docs/web.md lists every route and its JSON.

#include <optional>
#include <string_view>

#include "core/metrics.h"
#include "web/context.h"
#include "web/router.h"

namespace honeyvt::web {

void AddStaticRoutes(Router& router, Context& ctx);
// GET /metrics: the registry's exposition text.
void AddMetricsRoute(Router& router, MetricsRegistry& registry);

// An embedded asset's bytes by path relative to src/web/assets (tests, page weight).
std::optional<std::string_view> AssetBytes(std::string_view path);

}  // namespace honeyvt::web
