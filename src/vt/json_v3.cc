// v3 reply parsers (see json_parse.h for the contract).

#include "core/strings.h"
#include "vt/json_doc.h"
#include "vt/json_parse.h"

namespace honeyvt::vt {
namespace {

// A hash member: empty when absent; an error when present but not hex of the right size.
Result<std::string> HashMember(const Json& object, std::string_view key, std::size_t len) {
  auto s = StringMember(object, key);
  if (!s || s->empty()) return std::string();
  if (!IsHex(*s, len)) return ShapeError(std::string(key) + " is not a hex digest");
  return ToLower(*s);
}

// "last_analysis_results" / "results": engine key -> verdict, in server order.
std::vector<domain::EngineResult> ParseEngines(const Json* results) {
  std::vector<domain::EngineResult> engines;
  if (results == nullptr || !results->is_object()) return engines;
  for (const auto& [key, verdict] : results->items()) {
    if (!verdict.is_object()) continue;
    domain::EngineResult e;
    e.engine = key;
    e.engine_name = StringOr(verdict, "engine_name", key);
    e.version = StringOr(verdict, "engine_version");
    if (e.version == "None") e.version.clear();  // Python's str(None) leaking through
    e.update = StringOr(verdict, "engine_update");
    e.category = StringOr(verdict, "category");
    if (auto r = StringMember(verdict, "result"); r && !r->empty()) e.result = *r;
    engines.push_back(std::move(e));
  }
  return engines;
}

// The "data" object of a v3 reply, checked for the expected type when it states one.
Result<const Json*> DataObject(const Json& doc, std::string_view type) {
  const Json* data = ObjectMember(doc, "data");
  if (data == nullptr) return ShapeError("no \"data\" object");
  if (auto t = StringMember(*data, "type"); t && *t != type) {
    return ShapeError("data.type is \"" + Excerpt(*t, 40) + "\", expected " + std::string(type));
  }
  return data;
}

}  // namespace

V3ErrorBody ParseV3Error(std::string_view body) {
  V3ErrorBody out;
  auto doc = ParseJson(body);
  if (!doc) return out;
  if (const Json* error = ObjectMember(*doc, "error")) {
    out.code = StringOr(*error, "code");
    out.message = StringOr(*error, "message");
  }
  return out;
}

Result<domain::FileReport> ParseV3FileReport(std::string_view body) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  ASSIGN_OR_RETURN(const Json* data, DataObject(doc, "file"));
  const Json* attrs = ObjectMember(*data, "attributes");
  if (attrs == nullptr) return ShapeError("file object without attributes");
  domain::FileReport r;
  ASSIGN_OR_RETURN(r.md5, HashMember(*attrs, "md5", 32));
  ASSIGN_OR_RETURN(r.sha1, HashMember(*attrs, "sha1", 40));
  ASSIGN_OR_RETURN(r.sha256, HashMember(*attrs, "sha256", 64));
  if (r.sha256.empty()) {
    ASSIGN_OR_RETURN(r.sha256, HashMember(*data, "id", 64));  // data.id is the sha256
  }
  if (r.sha256.empty()) return ShapeError("file object without sha256");
  r.size = IntMember(*attrs, "size").value_or(-1);
  r.type_description = StringOr(*attrs, "type_description");
  if (const Json* names = Member(*attrs, "names"); names != nullptr && names->is_array()) {
    for (const Json& n : *names) {
      if (n.is_string()) r.names.push_back(n.get<std::string>());
    }
  }
  r.first_submission_date = IntMember(*attrs, "first_submission_date").value_or(0);
  r.last_analysis_date = IntMember(*attrs, "last_analysis_date").value_or(0);
  r.engines = ParseEngines(Member(*attrs, "last_analysis_results"));
  if (const Json* ptc = ObjectMember(*attrs, "popular_threat_classification")) {
    r.suggested_threat_label = StringOr(*ptc, "suggested_threat_label");
  }
  r.permalink = "https://www.virustotal.com/gui/file/" + r.sha256;
  r.raw_json = std::string(body);
  return r;
}

Result<domain::AnalysisRef> ParseV3AnalysisDescriptor(std::string_view body) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  ASSIGN_OR_RETURN(const Json* data, DataObject(doc, "analysis"));
  auto id = IdMember(*data, "id");
  if (!id || id->empty()) return ShapeError("analysis descriptor without id");
  return domain::AnalysisRef{.id = *id, .sha256 = "", .permalink = ""};
}

Result<domain::Analysis> ParseV3Analysis(std::string_view body) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  ASSIGN_OR_RETURN(const Json* data, DataObject(doc, "analysis"));
  const Json* attrs = ObjectMember(*data, "attributes");
  if (attrs == nullptr) return ShapeError("analysis without attributes");
  domain::Analysis a;
  auto id = IdMember(*data, "id");
  if (!id || id->empty()) return ShapeError("analysis without id");
  a.id = *id;
  const std::string status = StringOr(*attrs, "status");
  if (status == "queued") {
    a.status = domain::AnalysisStatus::kQueued;
  } else if (status == "in-progress") {
    a.status = domain::AnalysisStatus::kInProgress;
  } else if (status == "completed") {
    a.status = domain::AnalysisStatus::kCompleted;
  } else {
    return ShapeError("analysis status \"" + Excerpt(status, 40) + "\"");
  }
  a.date = IntMember(*attrs, "date").value_or(0);
  a.engines = ParseEngines(Member(*attrs, "results"));
  const Json* meta = ObjectMember(doc, "meta");
  if (const Json* info = meta != nullptr ? ObjectMember(*meta, "file_info") : nullptr) {
    ASSIGN_OR_RETURN(a.md5, HashMember(*info, "md5", 32));
    ASSIGN_OR_RETURN(a.sha1, HashMember(*info, "sha1", 40));
    ASSIGN_OR_RETURN(a.sha256, HashMember(*info, "sha256", 64));
  }
  return a;
}

Result<std::string> ParseV3UploadUrl(std::string_view body) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  auto url = StringMember(doc, "data");
  if (!url || !(url->starts_with("https://") || url->starts_with("http://"))) {
    return ShapeError("upload_url reply without an absolute URL");
  }
  return *url;
}

Result<domain::CommentAck> ParseV3Comment(std::string_view body) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(body));
  ASSIGN_OR_RETURN(const Json* data, DataObject(doc, "comment"));
  auto id = IdMember(*data, "id");
  if (!id || id->empty()) return ShapeError("comment without id");
  return domain::CommentAck{.id = *id};
}

}  // namespace honeyvt::vt
