#include "tools/vtsim/render_v3.h"

#include "core/digest.h"
#include "core/strings.h"
#include "tools/vtsim/ids.h"
#include "tools/vtsim/threat_names.h"
#include "tools/vtsim/verdict.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) { return ToLower(s); }

json Trid(FileKind kind) {
  switch (kind) {
    case FileKind::kPe:
      return json::array({{{"file_type", "Win32 Executable MS Visual C++ (generic)"}, {"probability", 47.3}},
                          {{"file_type", "Win64 Executable (generic)"}, {"probability", 15.9}},
                          {{"file_type", "Win32 Executable (generic)"}, {"probability", 7.6}}});
    case FileKind::kElf:
      return json::array({{{"file_type", "ELF Executable and Linkable format (generic)"}, {"probability", 100.0}}});
    case FileKind::kDocument:
      return json::array({{{"file_type", "Microsoft Word document"}, {"probability", 52.6}},
                          {{"file_type", "Generic OLE2 / Multistream Compound"}, {"probability", 14.0}}});
    case FileKind::kText:
      break;
  }
  return json::array();
}

json ThreatClassification(const Sample& s, const Stats& st) {
  const std::string fam = EffectiveFamily(s);
  const Family* f = FindFamily(fam);
  const std::string cat = s.eicar ? "virus" : Lower(f ? f->category : "trojan");
  const std::string plat = s.eicar ? "eicar" : (s.kind == FileKind::kElf ? "linux" : "win32");
  return {{"suggested_threat_label", cat + "." + Lower(fam) + "/" + plat},
          {"popular_threat_category", json::array({{{"count", st.malicious / 2 + 1}, {"value", cat}}})},
          {"popular_threat_name", json::array({{{"count", st.malicious}, {"value", Lower(fam)}},
                                               {{"count", st.malicious / 3}, {"value", plat}}})}};
}

}  // namespace

std::string V3Dump(const json& body) {
  return body.dump(4, ' ', false, json::error_handler_t::replace);
}

json V3Error(std::string_view code, std::string_view message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

json V3Results(const std::vector<EngineVerdict>& results) {
  json out = json::object();
  for (const EngineVerdict& v : results) {
    out[v.key] = {{"method", "blacklist"},
                  {"engine_name", v.engine_name},
                  {"engine_version", v.version ? json(*v.version) : json(nullptr)},
                  {"engine_update", v.update},
                  {"category", v.category},
                  {"result", v.result ? json(*v.result) : json(nullptr)}};
  }
  return out;
}

json V3Stats(const Stats& st) {
  return {{"harmless", st.harmless}, {"type-unsupported", st.type_unsupported},
          {"suspicious", st.suspicious}, {"confirmed-timeout", st.confirmed_timeout},
          {"timeout", st.timeout}, {"failure", st.failure},
          {"malicious", st.malicious}, {"undetected", st.undetected}};
}

json V3FileObject(const Sample& s, std::string_view base) {
  const auto results = GenerateResults(s, s.last_analysis_date);
  const Stats st = CountStats(results);
  const TypeInfo type = TypeFor(s);
  const std::uint64_t seed = Fnv1a(s.sha256);
  const ContentDigests fuzzy = DigestBytes("fuzzy:" + s.sha256);
  json attrs = {
      {"type_description", type.description},
      {"type_tag", type.tag},
      {"type_tags", type.tags},
      {"type_extension", type.extension},
      {"magic", type.magic},
      {"trid", Trid(s.kind)},
      {"names", s.names},
      {"size", s.size},
      {"md5", s.md5},
      {"sha1", s.sha1},
      {"sha256", s.sha256},
      {"vhash", fuzzy.md5},
      {"ssdeep", std::to_string(3 << (seed % 10)) + ":" + Base64Encode(fuzzy.sha1.substr(0, 24)) +
                     ":" + Base64Encode(fuzzy.sha1.substr(24, 12))},
      {"tlsh", "T1" + ToLower(fuzzy.sha256 + fuzzy.md5.substr(0, 6)).substr(0, 70)},
      {"tags", s.tags},
      {"reputation", s.reputation},
      {"total_votes", {{"harmless", 0}, {"malicious", st.malicious > 0 ? 1 + static_cast<int>(seed % 5) : 0}}},
      {"times_submitted", s.times_submitted},
      {"unique_sources", s.unique_sources},
      {"first_submission_date", s.first_submission_date},
      {"last_submission_date", s.last_submission_date},
      {"last_analysis_date", s.last_analysis_date},
      {"last_modification_date", s.last_analysis_date},
      {"last_analysis_stats", V3Stats(st)},
      {"last_analysis_results", V3Results(results)},
  };
  if (!s.names.empty()) attrs["meaningful_name"] = s.names.front();
  if (st.malicious > 0) attrs["popular_threat_classification"] = ThreatClassification(s, st);
  return {{"data",
           {{"attributes", attrs},
            {"type", "file"},
            {"id", s.sha256},
            {"links", {{"self", std::string(base) + "/api/v3/files/" + s.sha256}}}}}};
}

json V3Analysis(const AnalysisView& a, std::string_view base) {
  const std::string self = std::string(base) + "/api/v3/analyses/" + a.id;
  return {{"data",
           {{"id", a.id},
            {"type", "analysis"},
            {"links", {{"self", self}, {"item", std::string(base) + "/api/v3/files/" + a.sample.sha256}}},
            {"attributes",
             {{"results", V3Results(a.results)},
              {"date", a.date},
              {"stats", V3Stats(CountStats(a.results))},
              {"status", AnalysisStateName(a.state)}}}}},
          {"meta",
           {{"file_info",
             {{"sha256", a.sample.sha256}, {"md5", a.sample.md5}, {"sha1", a.sample.sha1},
              {"size", a.sample.size}}}}}};
}

json V3AnalysisDescriptor(std::string_view id, std::string_view base) {
  return {{"data",
           {{"type", "analysis"},
            {"id", id},
            {"links", {{"self", std::string(base) + "/api/v3/analyses/" + std::string(id)}}}}}};
}

json V3Comment(const CommentView& c, std::string_view base) {
  json tags = json::array();
  std::string html;
  for (const std::string& word : Split(c.text, ' ')) {
    if (word.size() > 1 && word[0] == '#') tags.push_back(Lower(word.substr(1)));
  }
  for (char ch : c.text) {
    switch (ch) {
      case '<': html += "&lt;"; break;
      case '>': html += "&gt;"; break;
      case '&': html += "&amp;"; break;
      case '"': html += "&quot;"; break;
      case '\n': html += "<br />"; break;
      default: html += ch;
    }
  }
  return {{"data",
           {{"type", "comment"},
            {"id", c.id},
            {"links", {{"self", std::string(base) + "/api/v3/comments/" + c.id}}},
            {"attributes",
             {{"date", c.date},
              {"text", c.text},
              {"html", html},
              {"tags", tags},
              {"votes", {{"positive", 0}, {"negative", 0}, {"abuse", 0}}}}}}}};
}

}  // namespace honeyvt::vtsim
