#include "tools/vtsim/render_v2.h"

#include "tools/vtsim/ids.h"
#include "tools/vtsim/verdict.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;

void DumpTo(const json& j, std::string& out) {
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : j.items()) {
      if (!first) out += ", ";
      first = false;
      out += json(k).dump(-1, ' ', false, json::error_handler_t::replace);
      out += ": ";
      DumpTo(v, out);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (i) out += ", ";
      DumpTo(j[i], out);
    }
    out += ']';
  } else {
    out += j.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

}  // namespace

std::string V2Dump(const json& body) {
  std::string out;
  DumpTo(body, out);
  return out;
}

std::string V2Permalink(std::string_view sha256, std::int64_t date) {
  return "https://www.virustotal.com/file/" + std::string(sha256) + "/analysis/" +
         std::to_string(date) + "/";
}

json V2Report(const Sample& s, std::string_view resource) {
  const auto results = GenerateResults(s, s.last_analysis_date);
  json scans = json::object();
  int positives = 0, total = 0;
  for (const EngineVerdict& v : results) {
    const bool detected = v.category == "malicious" || v.category == "suspicious";
    const bool judged = detected || v.category == "undetected" || v.category == "harmless";
    if (!judged) continue;  // v2 lists only engines that judged the file
    ++total;
    positives += detected ? 1 : 0;
    scans[v.key] = {{"detected", detected},
                    {"version", v.version ? json(*v.version) : json(nullptr)},
                    {"result", v.result ? json(*v.result) : json(nullptr)},
                    {"update", v.update}};
  }
  return {{"scans", scans},
          {"scan_id", MakeScanId(s.sha256, s.last_analysis_date)},
          {"sha1", s.sha1},
          {"resource", resource},
          {"response_code", 1},
          {"scan_date", FormatScanDate(s.last_analysis_date)},
          {"permalink", V2Permalink(s.sha256, s.last_analysis_date)},
          {"verbose_msg", "Scan finished, information embedded"},
          {"total", total},
          {"positives", positives},
          {"sha256", s.sha256},
          {"md5", s.md5}};
}

json V2NotFound(std::string_view resource) {
  return {{"response_code", 0},
          {"resource", resource},
          {"verbose_msg", "The requested resource is not among the finished, queued or pending scans"}};
}

json V2Invalid(std::string_view resource) {
  return {{"response_code", 0},
          {"resource", resource},
          {"verbose_msg", "Invalid resource, check what you are submitting"}};
}

json V2Queued(std::string_view resource, std::string_view scan_id) {
  return {{"response_code", -2},
          {"resource", resource},
          {"scan_id", scan_id},
          {"verbose_msg", "Your resource is queued for analysis"}};
}

json V2Scan(const Sample& s, std::int64_t date) {
  return {{"scan_id", MakeScanId(s.sha256, date)},
          {"sha1", s.sha1},
          {"resource", s.sha256},
          {"response_code", 1},
          {"sha256", s.sha256},
          {"permalink", V2Permalink(s.sha256, date)},
          {"md5", s.md5},
          {"verbose_msg", "Scan request successfully queued, come back later for the report"}};
}

json V2Rescan(const Sample& s, std::int64_t date) {
  return {{"permalink", V2Permalink(s.sha256, date)},
          {"response_code", 1},
          {"sha256", s.sha256},
          {"resource", s.sha256},
          {"scan_id", MakeScanId(s.sha256, date)}};
}

json V2RescanNotFound(std::string_view resource) {
  return {{"response_code", 0}, {"resource", resource},
          {"verbose_msg", "The requested resource is not among the finished, queued or pending scans"}};
}

json V2CommentReply(int response_code, std::string_view verbose_msg) {
  return {{"response_code", response_code}, {"verbose_msg", verbose_msg}};
}

}  // namespace honeyvt::vtsim
