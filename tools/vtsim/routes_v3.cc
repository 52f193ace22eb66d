// API v3 routes (tests/fixtures/VT-API.md §2).

#include "core/strings.h"
#include "tools/vtsim/http_common.h"
#include "tools/vtsim/render_v3.h"
#include "tools/vtsim/routes.h"

namespace honeyvt::vtsim {
namespace {

using httplib::Request;
using httplib::Response;

bool IsFileHash(const std::string& id) {
  return IsHex(id, 32) || IsHex(id, 40) || IsHex(id, 64);
}

void NotFoundFile(Response& res, const std::string& id) {
  SendV3Error(res, 404, "NotFoundError", "File \"" + id + "\" not found");
}

std::int64_t DeclaredLength(const Request& req) {
  auto n = ParseInt(req.get_header_value("Content-Length"));
  if (n) return *n;
  std::int64_t total = 0;
  for (const auto& [name, part] : req.files) total += static_cast<std::int64_t>(part.content.size());
  return total;
}

// The comment text of a v3 comment body, or nullopt if the body is not of that shape.
std::optional<std::string> CommentText(const std::string& raw) {
  const auto body = nlohmann::json::parse(raw, nullptr, false);
  if (!body.is_object()) return std::nullopt;
  const auto data = body.find("data");
  if (data == body.end() || !data->is_object()) return std::nullopt;
  const auto type = data->find("type");
  if (type == data->end() || !type->is_string() || *type != "comment") return std::nullopt;
  const auto attrs = data->find("attributes");
  if (attrs == data->end() || !attrs->is_object()) return std::nullopt;
  const auto text = attrs->find("text");
  if (text == attrs->end() || !text->is_string() || text->get<std::string>().empty()) {
    return std::nullopt;
  }
  return text->get<std::string>();
}

// Shared by POST /files and the one-time upload URL.
void HandleUpload(HttpContext& ctx, const Request& req, Response& res, const std::string& key,
                  std::int64_t limit, std::string_view via) {
  if (DeclaredLength(req) > limit) return SendTooLarge(res);
  if (!req.is_multipart_form_data() || !req.has_file("file")) {
    return SendV3Error(res, 400, "BadRequestError",
                       "Expected a multipart/form-data request with a \"file\" part");
  }
  const auto part = req.get_file_value("file");
  const AnalysisView a = ctx.sim.Upload(part.content, part.filename, key, via);
  SendV3(res, 200, V3AnalysisDescriptor(a.id, ctx.base));
}

}  // namespace

void RegisterV3Routes(httplib::Server& http, HttpContext& ctx) {
  HttpContext* c = &ctx;
  http.Get("/api/v3/files/upload_url",
           Guarded(ctx, Api::kV3, "GET /api/v3/files/upload_url",
                   [c](const Request&, Response& res, const std::string&) {
                     SendV3(res, 200, {{"data", c->base + "/_ah/upload/" + c->sim.NewUploadToken() + "/"}});
                   }));

  http.Post(R"(/_ah/upload/([^/]+)/?)",
            Guarded(ctx, Api::kV3, "POST /_ah/upload/{token}",
                    [c](const Request& req, Response& res, const std::string& key) {
                      const std::string token = req.matches[1];
                      switch (c->sim.UseUploadToken(token)) {
                        case Simulator::TokenUse::kUsed:
                          return SendV3Error(res, 404, "NotFoundError", "Upload URL already used");
                        case Simulator::TokenUse::kUnknown:
                          return SendV3Error(res, 404, "NotFoundError", "Unknown upload URL");
                        case Simulator::TokenUse::kOk:
                          break;
                      }
                      HandleUpload(*c, req, res, key, c->sim.options().max_upload, "v3-upload-url");
                    }));

  http.Post("/api/v3/files",
            Guarded(ctx, Api::kV3, "POST /api/v3/files",
                    [c](const Request& req, Response& res, const std::string& key) {
                      HandleUpload(*c, req, res, key, c->sim.options().max_direct_upload, "v3");
                    }));

  http.Get(R"(/api/v3/files/([^/]+))",
           Guarded(ctx, Api::kV3, "GET /api/v3/files/{id}",
                   [c](const Request& req, Response& res, const std::string&) {
                     const std::string id = req.matches[1];
                     auto s = IsFileHash(id) ? c->sim.FindFile(ToLower(id)) : std::nullopt;
                     if (!s) return NotFoundFile(res, id);
                     SendV3(res, 200, V3FileObject(*s, c->base));
                   }));

  http.Post(R"(/api/v3/files/([^/]+)/analyse)",
            Guarded(ctx, Api::kV3, "POST /api/v3/files/{id}/analyse",
                    [c](const Request& req, Response& res, const std::string&) {
                      const std::string id = req.matches[1];
                      auto a = IsFileHash(id) ? c->sim.Rescan(ToLower(id)) : std::nullopt;
                      if (!a) return NotFoundFile(res, id);
                      SendV3(res, 200, V3AnalysisDescriptor(a->id, c->base));
                    }));

  http.Post(R"(/api/v3/files/([^/]+)/comments)",
            Guarded(ctx, Api::kV3, "POST /api/v3/files/{id}/comments",
                    [c](const Request& req, Response& res, const std::string& key) {
                      const std::string id = req.matches[1];
                      const auto text = CommentText(req.body);
                      if (!text) {
                        return SendV3Error(res, 400, "BadRequestError",
                                           "Expected {\"data\": {\"type\": \"comment\", \"attributes\": {\"text\": \"...\"}}}");
                      }
                      auto comment = IsFileHash(id) ? c->sim.Comment(ToLower(id), *text, key, "v3")
                                                    : std::nullopt;
                      if (!comment) return NotFoundFile(res, id);
                      SendV3(res, 200, V3Comment(*comment, c->base));
                    }));

  http.Get(R"(/api/v3/analyses/([^/]+)/item)",
           Guarded(ctx, Api::kV3, "GET /api/v3/analyses/{id}/item",
                   [c](const Request& req, Response& res, const std::string&) {
                     const std::string id = req.matches[1];
                     auto a = c->sim.GetAnalysis(id);
                     if (!a) return SendV3Error(res, 404, "NotFoundError", "Analysis \"" + id + "\" not found");
                     auto s = c->sim.FindFile(a->sample.sha256);
                     if (!s) return NotFoundFile(res, a->sample.sha256);
                     SendV3(res, 200, V3FileObject(*s, c->base));
                   }));

  http.Get(R"(/api/v3/analyses/([^/]+))",
           Guarded(ctx, Api::kV3, "GET /api/v3/analyses/{id}",
                   [c](const Request& req, Response& res, const std::string&) {
                     const std::string id = req.matches[1];
                     auto a = c->sim.GetAnalysis(id);
                     if (!a) return SendV3Error(res, 404, "NotFoundError", "Analysis \"" + id + "\" not found");
                     SendV3(res, 200, V3Analysis(*a, c->base));
                   }));
}

}  // namespace honeyvt::vtsim
