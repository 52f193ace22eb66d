// v2 reply parsers (see json_parse.h for the contract).

#include "core/strings.h"
#include "core/time_spec.h"
#include "vt/json_doc.h"
#include "vt/json_parse.h"

namespace honeyvt::vt {
namespace {

Result<std::string> HashMember(const Json& object, std::string_view key, std::size_t len) {
  auto s = StringMember(object, key);
  if (!s || s->empty()) return std::string();
  if (!IsHex(*s, len)) return ShapeError(std::string(key) + " is not a hex digest");
  return ToLower(*s);
}

// response_code 0 / -2 / anything but 1 as an error; 1 as success.
Status CheckResponseCode(const Json& item) {
  auto code = IntMember(item, "response_code");
  if (!code) return ShapeError("no response_code");
  const std::string msg = Excerpt(StringOr(item, "verbose_msg"), 120);
  const std::string resource = Excerpt(StringOr(item, "resource"), 80);
  switch (*code) {
    case 1:
      return OkStatus();
    case 0:
      return MakeError(ErrorCode::kNotFound,
                       "VirusTotal does not know " + resource + " (" + msg + ")");
    case -2:
      return MakeError(ErrorCode::kQueued, "VirusTotal still analyses " + resource);
    default:
      return ShapeError("response_code " + std::to_string(*code));
  }
}

Result<domain::FileReport> ParseReport(const Json& item, std::string raw) {
  if (!item.is_object()) return ShapeError("report is not an object");
  RETURN_IF_ERROR(CheckResponseCode(item));
  domain::FileReport r;
  ASSIGN_OR_RETURN(r.md5, HashMember(item, "md5", 32));
  ASSIGN_OR_RETURN(r.sha1, HashMember(item, "sha1", 40));
  ASSIGN_OR_RETURN(r.sha256, HashMember(item, "sha256", 64));
  if (r.md5.empty()) return ShapeError("report without md5");
  auto scan_date = ParseUtcDateTime(StringOr(item, "scan_date"));
  if (!scan_date) return ShapeError("report without a valid scan_date");
  r.last_analysis_date = *scan_date;
  r.permalink = StringOr(item, "permalink");
  r.scan_id = StringOr(item, "scan_id");
  if (const Json* scans = ObjectMember(item, "scans")) {
    for (const auto& [engine, verdict] : scans->items()) {
      if (!verdict.is_object()) continue;
      domain::EngineResult e;
      e.engine = engine;
      e.engine_name = engine;
      e.version = StringOr(verdict, "version");
      e.update = StringOr(verdict, "update");
      const Json* detected = Member(verdict, "detected");
      e.category = detected != nullptr && detected->is_boolean() && detected->get<bool>()
                       ? "malicious"
                       : "undetected";
      if (auto res = StringMember(verdict, "result"); res && !res->empty()) e.result = *res;
      r.engines.push_back(std::move(e));
    }
  }
  r.raw_json = std::move(raw);
  return r;
}

// A v2 reply that should describe one item: a bare object or a one-element array.
Result<Json> SingleItem(std::string_view body) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  if (doc.is_array() && doc.size() == 1) return Json(doc[0]);
  if (!doc.is_object()) return ShapeError("reply is not a JSON object");
  return doc;
}

// The items of a parsed file/report reply (see ParseV2FileReports).
Result<std::vector<Result<domain::FileReport>>> ReportItems(const Json& doc, std::string_view body,
                                                            std::size_t expected) {
  std::vector<Result<domain::FileReport>> out;
  if (doc.is_object() && expected == 1) {
    out.push_back(ParseReport(doc, std::string(body)));
    return out;
  }
  if (!doc.is_array()) return ShapeError("file/report reply is neither object nor array");
  if (doc.size() != expected) {
    return ShapeError("file/report returned " + std::to_string(doc.size()) + " items for " +
                      std::to_string(expected) + " resources");
  }
  for (const Json& item : doc) {
    out.push_back(ParseReport(item, item.dump(-1, ' ', false, Json::error_handler_t::replace)));
  }
  return out;
}

}  // namespace

Result<std::vector<Result<domain::FileReport>>> ParseV2FileReports(std::string_view body,
                                                                   std::size_t expected) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  return ReportItems(doc, body, expected);
}

Result<std::vector<Result<domain::FileReport>>> ParseV2FileReportsFor(
    std::string_view body, std::span<const std::string> resources) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  ASSIGN_OR_RETURN(auto out, ReportItems(doc, body, resources.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Json& item = doc.is_array() ? doc[i] : doc;
    if (!item.is_object()) continue;  // already an error of the item
    const std::string echo = ToLower(Trim(StringOr(item, "resource")));
    if (!echo.empty() && echo != ToLower(Trim(resources[i]))) {
      out[i] = ShapeError("file/report answered for resource " + Excerpt(echo, 80) + " where " +
                          Excerpt(resources[i], 80) + " was asked");
    }
  }
  return out;
}

Result<domain::AnalysisRef> ParseV2ScanReply(std::string_view body) {
  ASSIGN_OR_RETURN(Json item, SingleItem(body));
  RETURN_IF_ERROR(CheckResponseCode(item));
  domain::AnalysisRef ref;
  ref.id = StringOr(item, "scan_id");
  if (ref.id.empty()) return ShapeError("scan reply without scan_id");
  ASSIGN_OR_RETURN(ref.sha256, HashMember(item, "sha256", 64));
  ref.permalink = StringOr(item, "permalink");
  return ref;
}

Result<domain::CommentAck> ParseV2CommentReply(std::string_view body) {
  ASSIGN_OR_RETURN(Json item, SingleItem(body));
  if (IntMember(item, "response_code") == 0 &&
      ToLower(StringOr(item, "verbose_msg")).find("duplicate") != std::string::npos) {
    return domain::CommentAck{};
  }
  RETURN_IF_ERROR(CheckResponseCode(item));
  return domain::CommentAck{};
}

}  // namespace honeyvt::vt
