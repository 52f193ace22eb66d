#include "vt/metered_transport.h"

namespace honeyvt::vt {
namespace {

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

std::string FormValue(const HttpRequest& r, std::string_view name) {
  for (const auto& f : r.form) {
    if (f.name == name && !f.source) return f.value;
  }
  // GET parameters of v2 (resource=...) are in the URL.
  const auto q = r.url.find('?');
  if (q == std::string::npos) return "";
  const std::string key = std::string(name) + "=";
  auto pos = r.url.find(key, q);
  if (pos == std::string::npos) return "";
  pos += key.size();
  return r.url.substr(pos, r.url.find('&', pos) - pos);
}

}  // namespace

std::string EndpointOf(const HttpRequest& r, int api) {
  std::string path = r.url;
  if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
  // v2: .../vtapi/v2/<endpoint>
  if (api == 2) {
    if (Contains(path, "file/report")) {
      const std::string res = FormValue(r, "resource");
      return Contains(res, ",") || Contains(res, "%2C") || Contains(res, "%2c") ? "batch_report"
                                                                                : "file_report";
    }
    if (Contains(path, "file/scan/upload_url")) return "upload_url";
    if (Contains(path, "file/scan")) return "upload";
    if (Contains(path, "file/rescan")) return "rescan";
    if (Contains(path, "comments/put")) return "comment";
    return "other";
  }
  // v3
  if (Contains(path, "/files/upload_url")) return "upload_url";
  if (Contains(path, "/analyses/")) return "analysis";
  if (Contains(path, "/comments")) return "comment";
  if (Contains(path, "/analyse")) return "rescan";
  if (path.ends_with("/files") || Contains(path, "/_upload") || Contains(path, "upload"))
    return "upload";
  if (Contains(path, "/files/")) return "file_report";
  return "other";
}

Result<HttpResponse> MeteredTransport::Send(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response = inner_->Send(request);
  RequestRecord rec;
  rec.at = clock_.Now();
  rec.api = api_;
  rec.endpoint = EndpointOf(request, api_);
  rec.code = response ? std::to_string(response->status) : "network";
  rec.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  for (const auto& f : request.form) {
    if (f.source) rec.upload_bytes += f.source->size();
  }
  observer_.OnRequest(rec);
  return response;
}

}  // namespace honeyvt::vt
