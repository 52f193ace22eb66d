#pragma once
// Internal to vtsim's HTTP layer (the only headers that include httplib.h): the request
// pipeline every API route goes through, and response helpers.
//
// Pipeline of an API request (Guarded):
//   1. key: v3 header x-apikey; v2 parameter apikey (query, form or multipart part)
//   2. auth: v3 401 AuthenticationRequiredError / WrongCredentialsError; v2 403 empty body
//   3. call logged; quota charged (cost 1, or per v2 batch item) -> v3 429
//      QuotaExceededError / v2 204 empty body (refused calls cost nothing)
//   4. fault drawn: replacing faults (5xx, 429, reset) answer instead of the handler;
//      slow waits first; truncate/stall/nonjson/wrongtype mangle the handler's answer
//   5. handler

#include <functional>
#include <stop_token>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tools/vtsim/faults.h"
#include "tools/vtsim/simulator.h"

namespace honeyvt::vtsim {

enum class Api { kV3, kV2 };

struct HttpContext {
  Simulator& sim;
  std::string base;           // "http://127.0.0.1:PORT"
  std::stop_token stop;       // requested when the server stops (ends slow/stalled waits)
  Clock& real_clock;          // for real waits
};

using ApiHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const std::string& key)>;
using CostFn = std::function<int(const httplib::Request&)>;

httplib::Server::Handler Guarded(HttpContext& ctx, Api api, std::string endpoint,
                                 ApiHandler handler, CostFn cost = nullptr);

void SendV3(httplib::Response& res, int status, const nlohmann::json& body);
void SendV3Error(httplib::Response& res, int status, std::string_view code,
                 std::string_view message);
void SendV2(httplib::Response& res, const nlohmann::json& body);
// Status with an empty body (v2 204, 403, 400).
void SendEmpty(httplib::Response& res, int status, const std::string& content_type);
// 413 as Google's front end answers it (HTML, no JSON error object).
void SendTooLarge(httplib::Response& res);

// A parameter from the query string, a urlencoded body or a multipart text part.
std::string Param(const httplib::Request& req, const std::string& name);

// Faults that act on the connection itself (fault_http.cc).
void ServeReplacingFault(const HttpContext& ctx, Api api, const FaultAction& fault,
                         const httplib::Request& req, httplib::Response& res);
// Shuts down every accepted connection on `port` (wakes keep-alive waits on Stop).
void ShutdownConnections(int port);
void MangleResponse(const HttpContext& ctx, const FaultAction& fault, httplib::Response& res);

}  // namespace honeyvt::vtsim
