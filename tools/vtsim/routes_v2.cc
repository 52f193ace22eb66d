// API v2 routes (tests/fixtures/VT-API.md §4). Statuses: 200 with response_code, 204 over quota,
// 400 missing arguments, 403 bad key, 413 too large (all but 200 with an empty body).

#include <optional>

#include "core/strings.h"
#include "tools/vtsim/http_common.h"
#include "tools/vtsim/render_v2.h"
#include "tools/vtsim/routes.h"

namespace honeyvt::vtsim {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

constexpr int kRescanBatchLimit = 25;

std::vector<std::string> Resources(const Request& req) {
  std::vector<std::string> out;
  for (const std::string& item : Split(Param(req, "resource"), ',')) {
    std::string t = Trim(item);
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

bool IsBatch(const Request& req) { return Param(req, "resource").find(',') != std::string::npos; }

// The file hash a v2 resource names (md5, sha1, sha256 or "<sha256>-<seconds>"), lowercase.
std::optional<std::string> ResourceHash(const std::string& resource) {
  const std::string r = ToLower(resource);
  if (IsHex(r, 32) || IsHex(r, 40) || IsHex(r, 64)) return r;
  const auto dash = r.find('-');
  if (dash == 64 && IsHex(r.substr(0, 64), 64) && ParseInt(r.substr(65))) return r.substr(0, 64);
  return std::nullopt;
}

json ReportFor(Simulator& sim, const std::string& resource) {
  const auto hash = ResourceHash(resource);
  if (!hash) return V2Invalid(resource);
  if (auto s = sim.FindFile(*hash)) return V2Report(*s, resource);
  if (auto scan_id = sim.PendingScanId(*hash)) return V2Queued(resource, *scan_id);
  return V2NotFound(resource);
}

json RescanFor(Simulator& sim, const std::string& resource) {
  const auto hash = ResourceHash(resource);
  if (!hash) return V2Invalid(resource);
  auto a = sim.Rescan(*hash);
  if (!a) return V2RescanNotFound(resource);
  return V2Rescan(a->sample, a->date);
}

// One object for a single resource, an array in request order for a comma list.
void SendPerResource(const Request& req, Response& res, const std::vector<std::string>& items,
                     const std::function<json(const std::string&)>& one) {
  if (!IsBatch(req)) return SendV2(res, one(items.front()));
  json out = json::array();
  for (const std::string& r : items) out.push_back(one(r));
  SendV2(res, out);
}

}  // namespace

void RegisterV2Routes(httplib::Server& http, HttpContext& ctx) {
  HttpContext* c = &ctx;
  const CostFn report_cost = [c](const Request& req) {
    return c->sim.options().v2_batch_cost_per_item ? static_cast<int>(Resources(req).size()) : 1;
  };
  const auto report = Guarded(
      ctx, Api::kV2, "v2 file/report",
      [c](const Request& req, Response& res, const std::string&) {
        const auto items = Resources(req);
        if (items.empty() || static_cast<int>(items.size()) > c->sim.options().v2_batch_limit) {
          return SendEmpty(res, 400, "text/html; charset=utf-8");
        }
        SendPerResource(req, res, items, [c](const std::string& r) { return ReportFor(c->sim, r); });
      },
      report_cost);
  http.Get("/vtapi/v2/file/report", report);
  http.Post("/vtapi/v2/file/report", report);

  http.Post("/vtapi/v2/file/scan",
            Guarded(ctx, Api::kV2, "v2 file/scan",
                    [c](const Request& req, Response& res, const std::string& key) {
                      auto length = ParseInt(req.get_header_value("Content-Length"));
                      if (length && *length > c->sim.options().max_direct_upload) return SendTooLarge(res);
                      if (!req.is_multipart_form_data() || !req.has_file("file")) {
                        return SendEmpty(res, 400, "text/html; charset=utf-8");
                      }
                      const auto part = req.get_file_value("file");
                      const AnalysisView a = c->sim.Upload(part.content, part.filename, key, "v2");
                      SendV2(res, V2Scan(a.sample, a.date));
                    }));

  http.Post("/vtapi/v2/file/rescan",
            Guarded(ctx, Api::kV2, "v2 file/rescan",
                    [c](const Request& req, Response& res, const std::string&) {
                      const auto items = Resources(req);
                      if (items.empty() || items.size() > kRescanBatchLimit) {
                        return SendEmpty(res, 400, "text/html; charset=utf-8");
                      }
                      SendPerResource(req, res, items, [c](const std::string& r) { return RescanFor(c->sim, r); });
                    }));

  http.Post("/vtapi/v2/comments/put",
            Guarded(ctx, Api::kV2, "v2 comments/put",
                    [c](const Request& req, Response& res, const std::string& key) {
                      const std::string resource = Trim(Param(req, "resource"));
                      const std::string text = Param(req, "comment");
                      if (resource.empty() || text.empty()) return SendEmpty(res, 400, "text/html; charset=utf-8");
                      const auto hash = ResourceHash(resource);
                      if (!hash) return SendV2(res, V2CommentReply(0, "Invalid resource"));
                      auto comment = c->sim.Comment(*hash, text, key, "v2");
                      if (!comment) return SendV2(res, V2CommentReply(0, "Invalid resource"));
                      if (comment->duplicate) return SendV2(res, V2CommentReply(0, "Duplicate comment"));
                      SendV2(res, V2CommentReply(1, "Your comment was successfully posted"));
                    }));
}

}  // namespace honeyvt::vtsim
