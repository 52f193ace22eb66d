// GET /api/v1/reports/{name}: the `honeyvt report` commands with the same parameters; the
// rows are report::Render's JSON, byte for byte what `honeyvt report NAME ... --format
// json` prints (?format=json / ?format=csv give exactly the CLI's output), and the page
// shows the equivalent command line. Answers are cached for a minute per parameter set.
#include <map>
#include <mutex>
#include <sstream>

#include "core/strings.h"
#include "core/time_spec.h"
#include "report/format.h"
#include "report/reports.h"
#include "web/api.h"
#include "web/api_util.h"

namespace honeyvt::web {
namespace {

using nlohmann::json;

struct Cached {
  TimePoint at;
  std::string json_text, csv_text, command;
  std::vector<std::string> notes;
};

struct Cache {
  std::mutex mu;
  std::map<std::string, Cached> entries;  // guarded by mu
};

Result<Cached> Run(Context& ctx, const std::string& name, const Request& req) {
  const TimePoint now = ctx.clock->Now();
  report::Filter filter;
  std::string command = "honeyvt report " + name;
  std::string args;
  auto add = [&](const std::string& flag, const std::string& value) {
    args += " " + flag + (value.empty() ? "" : " " + ShellQuote(value));
  };
  if (!req.Param("since").empty()) {
    ASSIGN_OR_RETURN(double since, ParseTimeSpec(req.Param("since"), now));
    filter.since = since;
    add("--since", req.Param("since"));
  }
  if (!req.Param("until").empty()) {
    ASSIGN_OR_RETURN(double until, ParseTimeSpec(req.Param("until"), now));
    filter.until = until;
    add("--until", req.Param("until"));
  }
  if (auto limit = IntParam(req, "limit"); limit && *limit > 0) {
    filter.limit = *limit;
    add("--limit", std::to_string(*limit));
  }
  ASSIGN_OR_RETURN(report::Source source, report::Source::Open(ctx.options.logsql, filter));
  Result<report::Document> doc = MakeError(ErrorCode::kNotFound, "no report " + name);
  std::string positional;
  if (name == "aliases" || name == "signatures") {
    report::FamilyQuery q{req.Param("pattern"), req.Param("family") == "1"};
    if (q.pattern.empty()) return MakeError(ErrorCode::kInvalidArgument, "give a pattern");
    positional = " " + ShellQuote(q.pattern);
    if (q.by_label) args += " --family";
    doc = name == "aliases" ? report::Aliases(source, q) : report::Signatures(source, q);
  } else if (name == "undetected") {
    report::UndetectedQuery q{req.Param("vendor"), req.Param("vuln_only") == "1",
                              req.Param("include_absent") == "1"};
    if (q.vendor.empty()) return MakeError(ErrorCode::kInvalidArgument, "give a vendor");
    positional = " " + ShellQuote(q.vendor);
    if (q.vuln_only) args += " --vuln-only";
    if (q.include_absent) args += " --include-absent";
    doc = report::Undetected(source, q);
  } else if (name == "summary") {
    doc = report::Summary(source);
  } else if (name == "families") {
    doc = report::Families(source);
  } else if (name == "history") {
    const std::string md5 = HashParam(req.Param("md5"));
    if (md5.size() != 32) return MakeError(ErrorCode::kInvalidArgument, "give an md5");
    positional = " " + md5;
    doc = report::History(source, md5);
  }
  if (!doc) return doc.error();
  Cached c;
  c.at = now;
  std::ostringstream js, csv;
  report::Render(*doc, report::Format::kJson, js);
  report::Render(*doc, report::Format::kCsv, csv);
  c.json_text = js.str();
  c.csv_text = csv.str();
  c.command = command + positional + args + " --logsql " + ShellQuote(ctx.options.logsql.string());
  c.notes = source.notes();
  c.notes.insert(c.notes.end(), doc->notes.begin(), doc->notes.end());
  return c;
}

}  // namespace

void AddReportRoutes(Router& router, Context& ctx) {
  auto cache = std::make_shared<Cache>();
  router.Add(
      {"GET", "/api/v1/reports/{name}", Access::kRead,
       [&ctx, cache](const Request& req) -> Response {
         const std::string name = req.path_params.at(0);
         static const char* kNames[] = {"aliases", "signatures", "undetected",
                                        "summary", "families",   "history"};
         if (std::find(std::begin(kNames), std::end(kNames), name) == std::end(kNames)) {
           return ErrorResponse(404, "no such report");
         }
         std::string key = name;
         for (const char* p : {"pattern", "family", "vendor", "vuln_only", "include_absent", "md5",
                               "since", "until", "limit"}) {
           key += '\x1f' + req.Param(p);
         }
         const TimePoint now = ctx.clock->Now();
         Cached c;
         {
           std::lock_guard lock(cache->mu);
           auto it = cache->entries.find(key);
           if (it != cache->entries.end() && now - it->second.at < std::chrono::seconds(60)) {
             c = it->second;
           }
         }
         if (c.command.empty()) {
           auto fresh = Run(ctx, name, req);
           if (!fresh) return FromError(fresh.error());
           c = std::move(*fresh);
           std::lock_guard lock(cache->mu);
           if (cache->entries.size() > 64) cache->entries.clear();
           cache->entries[key] = c;
         }
         const std::string format = req.Param("format");
         Response r;
         if (format == "json" || format == "csv") {
           r.content_type = format == "json" ? "application/json" : "text/csv; charset=utf-8";
           r.body = format == "json" ? c.json_text : c.csv_text;
           r.SetHeader("Content-Disposition",
                       "attachment; filename=\"honeyvt-report-" + name + "." + format + "\"");
           return r;
         }
         json out = {{"report", name},
                     {"command", c.command + " --format json"},
                     {"computed_at", ToUnixSeconds(c.at)},
                     {"notes", c.notes},
                     {"result", json::parse(c.json_text, nullptr, false)}};
         return Json(out);
       }});
}

}  // namespace honeyvt::web
