#pragma once
// The HTTP seam of the vt module. Clients build an HttpRequest and hand it to a
// Transport; the production Transport is libcurl (curl_transport.cc, the only file that
// includes <curl/curl.h>), tests inject a scripted fake or point the real one at a
// loopback server.
//
// Contract of Transport::Send:
//   - any HTTP status (2xx, 4xx, 5xx, an unfollowed 3xx) is a successful Result; the
//     caller classifies it;
//   - network failures (DNS, connect, TLS, timeouts, low-speed abort, reset, truncated
//     body, body over the size cap) are kTransient;
//   - a URL the transport refuses to use (not http/https, plain http to a non-loopback
//     host) is kInvalidArgument; a file part whose BodySource fails is kIo with its
//     message (the transfer is aborted before the failing bytes are sent);
//   - a transfer abandoned because CurlOptions::cancel was requested is kCancelled
//     (noticed within about a second, in any phase: connecting, sending, waiting).
// Messages never contain request headers or bodies (where the API key travels).
// Thread safety: one Transport is used by one thread at a time.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace honeyvt::vt {

// The content of an uploaded file part, streamed (never loaded into memory). The
// transport never opens a file by name: it reads what the caller opened and checked
// (vt/file_body.h). An error from Read aborts the transfer before the bytes of the
// failing read are sent.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Bytes the part has (declared before sending).
  virtual std::int64_t size() const = 0;
  // Starts again from the first byte (the body is sent again after a redirect).
  virtual Status Rewind() = 0;
  // Up to `n` bytes into `buffer`; 0 at the end.
  virtual Result<std::size_t> Read(char* buffer, std::size_t n) = 0;
};

// One form field: a text value, or a file part streamed from a BodySource.
struct FormField {
  std::string name;
  std::string value;                   // text value (ignored for a file part)
  std::shared_ptr<BodySource> source;  // set: the part's content (a file part)
  std::string filename;                // Content-Disposition filename of a file part
};

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;             // absolute http:// or https:// URL
  // Extra headers, e.g. {"x-apikey", key}. Header names are case-insensitive.
  std::vector<std::pair<std::string, std::string>> headers;
  // Raw request body (e.g. JSON; set a content-type header). Used when `form` is empty.
  std::string body;
  // Form fields. Sent as multipart/form-data when `multipart` is set or any field is a
  // file, else as application/x-www-form-urlencoded.
  std::vector<FormField> form;
  bool multipart = false;
  // Time limit for this exchange; zero = the transport's total_timeout. Uploads set a
  // longer one that grows with the file size.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;                            // decoded (gzip already undone)

  // The value of a header (name in lower case), if present.
  std::optional<std::string> Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// Settings of the libcurl transport.
struct CurlOptions {
  std::filesystem::path ca_bundle;  // empty = the system's CA store
  std::string proxy;                // empty = libcurl's http_proxy/https_proxy/no_proxy
  std::chrono::milliseconds connect_timeout{30'000};
  std::chrono::milliseconds total_timeout{300'000};  // whole exchange, upload included
  // Abort when fewer than low_speed_bytes per second flow for low_speed_time.
  std::int64_t low_speed_bytes = 1;
  std::chrono::seconds low_speed_time{120};
  std::int64_t max_body_bytes = 64LL * 1024 * 1024;  // larger bodies are kTransient
  int max_redirects = 5;
  std::string user_agent = "honeyvt/0.1 (gzip)";  // VT serves gzip only to "gzip" UAs
  // Requested (SIGTERM): the transfer in flight is abandoned, even mid-upload.
  std::stop_token cancel;
  // Called on the sending thread about once a second while a transfer runs (a sign of
  // life for a watchdog during long uploads). May be empty.
  std::function<void()> on_progress;
};

// A Transport over one libcurl easy handle (kept between calls for connection reuse).
// TLS peer and host verification are always on.
Result<std::unique_ptr<Transport>> MakeCurlTransport(const CurlOptions& options);

// The URL policy the curl transport applies: http or https only, plain http only to a
// loopback host (127.0.0.0/8, ::1, localhost). Violations are kInvalidArgument.
Status CheckTransportUrl(const std::string& url);

}  // namespace honeyvt::vt
