#include "tools/vtsim/http_common.h"

#include "tools/vtsim/render_v2.h"
#include "tools/vtsim/render_v3.h"

namespace honeyvt::vtsim {

void SendV3(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(V3Dump(body), std::string(kV3ContentType));
}

void SendV3Error(httplib::Response& res, int status, std::string_view code,
                 std::string_view message) {
  SendV3(res, status, V3Error(code, message));
}

void SendV2(httplib::Response& res, const nlohmann::json& body) {
  res.status = 200;
  res.set_content(V2Dump(body), std::string(kV2ContentType));
}

void SendEmpty(httplib::Response& res, int status, const std::string& content_type) {
  res.status = status;
  res.set_content("", content_type);
}

void SendTooLarge(httplib::Response& res) {
  res.status = 413;
  res.set_content(
      "<html><head><title>413 Request Entity Too Large</title></head><body>"
      "<h1>Request Entity Too Large</h1>Your client issued a request that was too large."
      "</body></html>",
      "text/html; charset=utf-8");
}

std::string Param(const httplib::Request& req, const std::string& name) {
  if (req.has_param(name)) return req.get_param_value(name);
  if (req.has_file(name)) {
    const auto part = req.get_file_value(name);
    if (part.filename.empty()) return part.content;
  }
  return "";
}

httplib::Server::Handler Guarded(HttpContext& ctx, Api api, std::string endpoint,
                                 ApiHandler handler, CostFn cost) {
  return [&ctx, api, endpoint = std::move(endpoint), handler = std::move(handler),
          cost = std::move(cost)](const httplib::Request& req, httplib::Response& res) {
    const std::string key =
        api == Api::kV3 ? req.get_header_value("x-apikey") : Param(req, "apikey");
    const Simulator::Auth auth = ctx.sim.CheckKey(key);
    if (auth != Simulator::Auth::kOk) {
      ctx.sim.LogAuthError(endpoint);
      if (api == Api::kV2) {
        SendEmpty(res, 403, "text/html; charset=utf-8");
      } else if (auth == Simulator::Auth::kMissing) {
        SendV3Error(res, 401, "AuthenticationRequiredError", "X-Apikey header is missing");
      } else {
        SendV3Error(res, 401, "WrongCredentialsError", "Wrong API key");
      }
      return;
    }
    const int units = cost ? std::max(1, cost(req)) : 1;
    const std::string target = api == Api::kV2 ? Param(req, "resource") : req.path;
    if (!ctx.sim.Admit(key, endpoint, units, target).empty()) {
      if (api == Api::kV2) {
        SendEmpty(res, 204, "text/html; charset=utf-8");
      } else {
        SendV3Error(res, 429, "QuotaExceededError", "Quota exceeded");
      }
      return;
    }
    const FaultAction fault = ctx.sim.NextFault(req.path, endpoint);
    switch (fault.kind) {
      case FaultKind::k500:
      case FaultKind::k502:
      case FaultKind::k503:
      case FaultKind::k504:
      case FaultKind::k429:
      case FaultKind::kReset:
        ServeReplacingFault(ctx, api, fault, req, res);
        return;
      case FaultKind::kSlow:
        ctx.real_clock.SleepFor(fault.delay, ctx.stop);
        break;
      default:
        break;
    }
    try {
      handler(req, res, key);
    } catch (const std::exception& e) {
      // A bug in the simulator, not a simulated fault: say so loudly.
      SendV3Error(res, 500, "InternalError", std::string("vtsim handler failed: ") + e.what());
    }
    MangleResponse(ctx, fault, res);
  };
}

}  // namespace honeyvt::vtsim
