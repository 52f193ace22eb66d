// Control and inspection endpoints under /_sim/ (no key, no quota, no faults, not logged).

#include "core/strings.h"
#include "tools/vtsim/http_common.h"
#include "tools/vtsim/routes.h"

namespace honeyvt::vtsim {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

void SendJson(Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

void SendProblem(Response& res, const std::string& message) {
  SendJson(res, 400, {{"error", message}});
}

}  // namespace

void RegisterControlRoutes(httplib::Server& http, HttpContext& ctx) {
  HttpContext* c = &ctx;
  http.Get("/_sim/health", [c](const Request&, Response& res) {
    const SimOptions& o = c->sim.options();
    SendJson(res, 200,
             {{"status", "ok"},
              {"base_url", c->base},
              {"sim_time", c->sim.clock().NowUnix()},
              {"time_factor", o.time_factor},
              {"analysis_delay_seconds", o.analysis_delay_seconds},
              {"quota", o.quota},
              {"open_keys", o.keys.empty()}});
  });
  http.Get("/_sim/log",
           [c](const Request&, Response& res) { SendJson(res, 200, c->sim.LogJson()); });
  http.Get("/_sim/arrivals",
           [c](const Request&, Response& res) { SendJson(res, 200, c->sim.ArrivalsJson()); });
  http.Get("/_sim/faults",
           [c](const Request&, Response& res) { SendJson(res, 200, c->sim.FaultsJson()); });
  http.Post("/_sim/faults", [c](const Request& req, Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return SendProblem(res, "body is not JSON");
    if (auto st = c->sim.SetFaults(body); !st) return SendProblem(res, st.error().message);
    SendJson(res, 200, c->sim.FaultsJson());
  });
  http.Post("/_sim/spend", [c](const Request& req, Response& res) {
    // The key travels in the x-apikey header (never in a URL or a log).
    const std::string key = req.get_header_value("x-apikey");
    auto units = ParseDecimal(req.get_param_value("units"));
    if (key.empty() || !units || *units < 1 || *units > 1000000) {
      return SendProblem(res, "expected an x-apikey header and ?units=N (1..1000000)");
    }
    c->sim.SpendOutside(key, static_cast<int>(*units));
    SendJson(res, 200, {{"spent", static_cast<int>(*units)}});
  });
  http.Post("/_sim/reset", [c](const Request&, Response& res) {
    c->sim.Reset();
    SendJson(res, 200, {{"status", "reset"}});
  });
  http.Post("/_sim/advance", [c](const Request& req, Response& res) {
    auto secs = ParseDecimal(req.get_param_value("seconds"));
    if (!secs || *secs < 0) return SendProblem(res, "expected ?seconds=N (N >= 0)");
    c->sim.Advance(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*secs)));
    SendJson(res, 200, {{"sim_time", c->sim.clock().NowUnix()}});
  });
}

}  // namespace honeyvt::vtsim
