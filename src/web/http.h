#pragma once
// The web module's own request and response types. The HTTP library (cpp-httplib) is
// used in server.cc only; every handler sees these plain structs, so handlers are tested
// without a socket and the library could be swapped in one file.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace honeyvt::web {

struct Request {
  std::string method;                             // "GET", "POST", ...
  std::string path;                               // without the query string, percent-decoded
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;     // names lower-cased
  std::string body;
  std::string remote_addr;               // the socket peer, never from a header
  std::vector<std::string> path_params;  // captured {segments} of the matched route

  // The first value of a query parameter ("" if absent).
  std::string Param(const std::string& name) const;
  bool HasParam(const std::string& name) const { return query.count(name) > 0; }
  std::optional<std::string> Header(const std::string& lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // A large part kept elsewhere (a cached report's rows, megabytes) that goes out after
  // `body` and before `tail` without being copied. Null for almost every answer.
  std::shared_ptr<const std::string> shared;
  std::string tail;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  std::size_t Size() const { return body.size() + (shared ? shared->size() : 0) + tail.size(); }

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// A JSON error body {"error": message} with `status`.
Response ErrorResponse(int status, const std::string& message);

}  // namespace honeyvt::web
