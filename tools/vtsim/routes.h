#pragma once
// Route registration of the simulator's HTTP server, one function per API family.

#include "tools/vtsim/http_common.h"

namespace honeyvt::vtsim {

void RegisterV3Routes(httplib::Server& http, HttpContext& ctx);
void RegisterV2Routes(httplib::Server& http, HttpContext& ctx);
void RegisterControlRoutes(httplib::Server& http, HttpContext& ctx);

}  // namespace honeyvt::vtsim
