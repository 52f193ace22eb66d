#pragma once
// Helpers shared by the JSON API handlers (api_*.cc): the time window of a request,
// JSON and CSV answers, integer and hash parameters. JSON strings are the database's text
// made valid UTF-8 (invalid bytes become U+FFFD); the pages show them through the
// visible() rule of assets/js/lib.js.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "web/http.h"

namespace honeyvt::web {

// ?window=1h|24h|7d|30d|all (moving; default 24h) or ?from=&to= (Unix seconds, fixed).
// Rollup answers use whole hours: [floor_hour(from), ceil_hour(to)).
struct Window {
  double from = 0;
  double to = 0;
  std::int64_t hour_from = 0;
  std::int64_t hour_to = 0;  // exclusive
  std::string label;         // "24h", "all", or "fixed"
  nlohmann::json ToJson() const;
};
Result<Window> ParseWindow(const Request& request, TimePoint now);

// The buckets a chart of the window shows: every bucket of the window (empty ones as
// zeros), starting at the first one with data when the window has no start (all); at
// least three, so a window whose data fall in one bucket still draws a line. `first` and
// `last` are the first and last buckets with data (nullopt: none). Returns bucket starts.
std::vector<std::int64_t> ChartBuckets(const Window& window, std::int64_t bucket,
                                       std::optional<std::int64_t> first,
                                       std::optional<std::int64_t> last);

Response Json(const nlohmann::json& body);
// 400 for kInvalidArgument, 404 kNotFound, 503 kBusy (logsql locked), else 500.
Response FromError(const Error& error);

// A table answered as JSON (array of objects) or, with ?format=csv, as CSV (RFC 4180,
// CRLF, formula-neutralised text cells) with a download name.
struct ApiTable {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
};
Response TableResponse(const Request& request, const ApiTable& table, const std::string& name,
                       nlohmann::json extra = nlohmann::json::object());

std::optional<std::int64_t> IntParam(const Request& request, const std::string& name);
// A lowercase md5, sha1 or sha256 ("" if the text is none of them).
std::string HashParam(std::string_view text);
// `text` quoted for a POSIX shell when it needs quoting (the equivalent command lines).
std::string ShellQuote(std::string_view text);

}  // namespace honeyvt::web
