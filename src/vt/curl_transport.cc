// The libcurl Transport. The only file of honeyvt that includes <curl/curl.h>.
// Every libcurl handle has one RAII owner. Redirects are followed here (not by libcurl)
// so that credentials never follow a redirect to another origin.

#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/strings.h"
#include "vt/loopback.h"
#include "vt/transport.h"

namespace honeyvt::vt {
namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
using MimePtr = std::unique_ptr<curl_mime, MimeDeleter>;
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

void GlobalInitOnce() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  static_cast<void>(rc);
}

struct Origin {
  std::string scheme, host, port;
  bool operator==(const Origin&) const = default;
};

// Parses an absolute URL and applies the policy: http or https only; plain http only to
// loopback hosts (a fake server in tests), so the API key never crosses a network in clear.
// The host is judged as libcurl's parser split it off (vt/loopback.h), not by URL text.
Result<Origin> CheckUrl(const std::string& url) {
  UrlPtr u(curl_url());
  if (!u) return Unexpected(ErrorCode::kInternal, "curl_url() failed");
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Unexpected(ErrorCode::kInvalidArgument, "malformed URL");
  }
  auto part = [&](CURLUPart which, unsigned flags) {
    char* raw = nullptr;
    const CURLUcode rc = curl_url_get(u.get(), which, &raw, flags);
    CurlString owned(raw);
    return rc == CURLUE_OK && owned ? ToLower(owned.get()) : std::string();
  };
  Origin o{part(CURLUPART_SCHEME, 0), part(CURLUPART_HOST, 0),
           part(CURLUPART_PORT, CURLU_DEFAULT_PORT)};
  if (o.host.empty()) return Unexpected(ErrorCode::kInvalidArgument, "URL without a host");
  if (o.scheme != "http" && o.scheme != "https") {
    return Unexpected(ErrorCode::kInvalidArgument, "only http and https URLs are allowed");
  }
  if (o.scheme == "http" && !IsLoopbackHost(o.host)) {
    return Unexpected(ErrorCode::kInvalidArgument,
                      "plain http is allowed only to a loopback host; use https");
  }
  return o;
}

struct BodySink {
  std::string* body;
  std::int64_t cap;
  bool over_cap = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (static_cast<std::int64_t>(sink->body->size() + n) > sink->cap) {
    sink->over_cap = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after 100 Continue or a proxy CONNECT)
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    (*headers)[ToLower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  }
  return n;
}

// libcurl calls this about once a second (and on every chunk) while a transfer runs,
// also while it only waits for the answer; non-zero aborts with CURLE_ABORTED_BY_CALLBACK.
int OnTransferProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* options = static_cast<const CurlOptions*>(user);
  if (options->on_progress) options->on_progress();
  return options->cancel.stop_requested() ? 1 : 0;
}

// A file part streamed from a BodySource; the first error it reports aborts the transfer.
struct PartStream {
  BodySource* source;
  std::optional<Error> error;
};

size_t ReadPart(char* buffer, size_t size, size_t count, void* user) {
  auto* part = static_cast<PartStream*>(user);
  auto n = part->source->Read(buffer, size * count);
  if (!n) {
    part->error = std::move(n).error();
    return CURL_READFUNC_ABORT;
  }
  return *n;
}

int SeekPart(void* user, curl_off_t offset, int origin) {
  auto* part = static_cast<PartStream*>(user);
  if (offset != 0 || origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  if (Status st = part->source->Rewind(); !st) {
    part->error = st.error();
    return CURL_SEEKFUNC_FAIL;
  }
  return CURL_SEEKFUNC_OK;
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

class CurlTransport final : public Transport {
 public:
  CurlTransport(EasyPtr easy, CurlOptions options)
      : easy_(std::move(easy)), options_(std::move(options)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    HttpRequest current = request;
    ASSIGN_OR_RETURN(Origin origin, CheckUrl(current.url));
    for (int hop = 0;; ++hop) {
      std::string location;
      ASSIGN_OR_RETURN(HttpResponse response, Perform(current, location));
      if (!IsRedirect(response.status) || location.empty()) return response;
      if (hop >= options_.max_redirects) {
        return Unexpected(ErrorCode::kTransient, "too many HTTP redirects");
      }
      ASSIGN_OR_RETURN(Origin next, CheckUrl(location));
      if (!(next == origin)) StripCredentials(current);
      if (response.status == 303 || (current.method == "POST" && response.status <= 302)) {
        current.method = "GET";  // what browsers and libcurl do
        current.body.clear();
        current.form.clear();
      }
      current.url = location;
      origin = next;
    }
  }

 private:
  // A redirect to another origin never carries the key (header or form field).
  static void StripCredentials(HttpRequest& r) {
    std::erase_if(r.headers, [](const auto& h) {
      const std::string n = ToLower(h.first);
      return n == "x-apikey" || n == "authorization";
    });
    std::erase_if(r.form, [](const FormField& f) { return f.name == "apikey"; });
  }

  Result<HttpResponse> Perform(const HttpRequest& request, std::string& location);
  Result<MimePtr> BuildMime(const HttpRequest& request, std::vector<PartStream>& streams);
  std::string UrlEncodeForm(const HttpRequest& request);

  EasyPtr easy_;
  CurlOptions options_;
};

// `streams` must not reallocate while the transfer runs: it is sized here, once.
Result<MimePtr> CurlTransport::BuildMime(const HttpRequest& request,
                                         std::vector<PartStream>& streams) {
  MimePtr mime(curl_mime_init(easy_.get()));
  if (!mime) return Unexpected(ErrorCode::kInternal, "curl_mime_init failed");
  streams.clear();
  streams.reserve(request.form.size());
  for (const FormField& field : request.form) {
    curl_mimepart* part = curl_mime_addpart(mime.get());
    if (part == nullptr) return Unexpected(ErrorCode::kInternal, "curl_mime_addpart failed");
    curl_mime_name(part, field.name.c_str());
    if (!field.source) {
      curl_mime_data(part, field.value.data(), field.value.size());
      continue;
    }
    // The caller's open, checked file; the transport never opens one by name.
    RETURN_IF_ERROR(field.source->Rewind());
    PartStream& stream = streams.emplace_back(PartStream{field.source.get(), std::nullopt});
    if (curl_mime_data_cb(part, static_cast<curl_off_t>(field.source->size()), &ReadPart, &SeekPart,
                          nullptr, &stream) != CURLE_OK) {
      return Unexpected(ErrorCode::kIo, "cannot stream the file to upload");
    }
    curl_mime_filename(part, field.filename.c_str());
    curl_mime_type(part, "application/octet-stream");
  }
  return mime;
}

std::string CurlTransport::UrlEncodeForm(const HttpRequest& request) {
  std::string out;
  for (const FormField& field : request.form) {
    CurlString name(
        curl_easy_escape(easy_.get(), field.name.data(), static_cast<int>(field.name.size())));
    CurlString value(
        curl_easy_escape(easy_.get(), field.value.data(), static_cast<int>(field.value.size())));
    if (!out.empty()) out += '&';
    out += name ? name.get() : "";
    out += '=';
    out += value ? value.get() : "";
  }
  return out;
}

Result<HttpResponse> CurlTransport::Perform(const HttpRequest& request, std::string& location) {
  CURL* h = easy_.get();
  curl_easy_reset(h);  // keeps live connections, so they are reused
  char errbuf[CURL_ERROR_SIZE] = {0};
  HttpResponse response;
  BodySink sink{&response.body, options_.max_body_bytes};

  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  if (!options_.proxy.empty()) curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy.c_str());
  // Plain http goes to loopback only (CheckUrl): never through a proxy, which would
  // see the key in clear.
  if (!ToLower(request.url.substr(0, 6)).starts_with("https:")) {
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.total_timeout;
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_bytes));
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnTransferProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &options_);

  SlistPtr headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown != nullptr) {
      static_cast<void>(headers.release());
      headers.reset(grown);
    }
  };
  for (const auto& [name, value] : request.headers) add_header(name + ": " + value);
  add_header("Expect:");  // no 100-continue round trip before uploads
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  MimePtr mime;
  std::vector<PartStream> streams;
  std::string form_body;
  if (request.method == "POST") {
    bool multipart = request.multipart;
    for (const FormField& f : request.form) multipart = multipart || f.source != nullptr;
    if (multipart) {
      ASSIGN_OR_RETURN(mime, BuildMime(request, streams));
      curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get());
    } else {
      form_body = request.form.empty() ? request.body : UrlEncodeForm(request);
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form_body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, form_body.c_str());
    }
  } else if (request.method != "GET") {
    return Unexpected(ErrorCode::kInvalidArgument, "unsupported HTTP method " + request.method);
  }

  if (options_.cancel.stop_requested()) {
    return Unexpected(ErrorCode::kCancelled, "HTTP request not sent: stopping");
  }
  const CURLcode rc = curl_easy_perform(h);
  for (const PartStream& s : streams) {
    // The body refused to go on (the file changed): that, not curl's code, is the reason.
    if (s.error) return Unexpected(ErrorCode::kIo, "upload aborted: " + s.error->message);
  }
  // Aborted by our progress callback (a read failure was reported just above).
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    return Unexpected(ErrorCode::kCancelled, "HTTP request abandoned: stopping");
  }
  if (rc != CURLE_OK) {
    if (sink.over_cap) {
      return Unexpected(
          ErrorCode::kTransient,
          "response body larger than " + std::to_string(options_.max_body_bytes) + " bytes");
    }
    std::string detail = curl_easy_strerror(rc);
    if (errbuf[0] != '\0') detail += std::string(": ") + errbuf;
    if (rc == CURLE_READ_ERROR) return Unexpected(ErrorCode::kIo, "upload read failed: " + detail);
    return Unexpected(ErrorCode::kTransient, "HTTP request failed: " + detail);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  char* redirect = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect != nullptr) {
    location = redirect;
  }
  return response;
}

}  // namespace

Status CheckTransportUrl(const std::string& url) {
  RETURN_IF_ERROR(CheckUrl(url));
  return OkStatus();
}

Result<std::unique_ptr<Transport>> MakeCurlTransport(const CurlOptions& options) {
  GlobalInitOnce();
  EasyPtr easy(curl_easy_init());
  if (!easy) return Unexpected(ErrorCode::kInternal, "curl_easy_init failed");
  return std::unique_ptr<Transport>(std::make_unique<CurlTransport>(std::move(easy), options));
}

}  // namespace honeyvt::vt
