#pragma once
// The JSON API under /api/v1 (docs/web.md documents every route and field). Each page of
// the dashboard reads only these.

#include <nlohmann/json.hpp>

#include "web/api_util.h"
#include "web/context.h"
#include "web/router.h"

namespace honeyvt::web {

void AddOverviewRoutes(Router& router, Context& ctx);  // /api/v1/overview
void AddQueueRoutes(Router& router, Context& ctx);     // /api/v1/queue[/summary], actions
void AddSampleRoutes(Router& router, Context& ctx);    // /api/v1/samples[/{hash}], /quota
void AddAttackRoutes(Router& router, Context& ctx);    // /api/v1/attacks[/{id}]
void AddReportRoutes(Router& router, Context& ctx);    // /api/v1/reports/{name}
void AddStatusRoutes(Router& router, Context& ctx);    // /api/v1/status, /readyz

// The overview's tile counts of a window, from the rollups (exposed for tests).
Result<nlohmann::json> OverviewTiles(store::Database& rollups, const Window& window);

}  // namespace honeyvt::web
