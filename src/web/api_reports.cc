// GET /api/v1/reports/{name}: the `honeyvt report` commands with the same parameters.
// The rows are report::Render's JSON, byte for byte what `honeyvt report NAME ...
// --format json` prints (?format=json / ?format=csv give exactly the CLI's output), and
// the page shows the equivalent command line. Reports run in the background on the
// report replica (report_service.h): the first request of a query answers 202 with
// "pending" and the page asks again.
#include <nlohmann/json.hpp>

#include "web/api.h"
#include "web/api_util.h"
#include "web/report_service.h"

namespace honeyvt::web {
namespace {

using nlohmann::json;

// An export waits for a query's first run (a person clicked a download link).
constexpr auto kExportWait = std::chrono::seconds(60);

Response Pending(const ReportQuery& q, const Context& ctx, const std::string& progress) {
  Response r = Json({{"pending", true},
                     {"report", q.name},
                     {"command", q.Command(ctx.options.logsql) + " --format json"},
                     {"progress", progress},
                     {"retry_after_ms", 500}});
  r.status = 202;
  r.SetHeader("Retry-After", "1");
  return r;
}

}  // namespace

void AddReportRoutes(Router& router, Context& ctx) {
  router.Add(
      {"GET", "/api/v1/reports/{name}", Access::kRead, [&ctx](const Request& req) -> Response {
         auto query = ParseReportQuery(req.path_params.at(0), req, ctx.clock->Now());
         if (!query) return FromError(query.error());
         const std::string format = req.Param("format");
         const bool exporting = format == "json" || format == "csv";
         ReportService::Answer a = ctx.reports->Get(*query);
         const TimePoint deadline = ctx.clock->Now() + kExportWait;
         while (exporting && !a.report && !a.error && ctx.clock->Now() < deadline) {
           ctx.clock->SleepFor(std::chrono::milliseconds(200), std::stop_token());
           a = ctx.reports->Get(*query);
         }
         if (a.error && !a.report) return FromError(*a.error);
         if (!a.report) {
           Response r = Pending(*query, ctx, a.progress);
           if (exporting) r = ErrorResponse(503, "the report is still being computed; try again");
           return r;
         }
         const RenderedReport& rep = *a.report;
         if (exporting) {
           Response r;
           r.content_type = format == "json" ? "application/json" : "text/csv; charset=utf-8";
           r.shared = std::shared_ptr<const std::string>(a.report,
                                                         format == "json" ? &rep.json : &rep.csv);
           r.SetHeader("Content-Disposition", "attachment; filename=\"honeyvt-report-" +
                                                  query->name + "." + format + "\"");
           return r;
         }
         // The rows are spliced in as the CLI printed them (key order and all).
         json head = {{"report", query->name},
                      {"command", query->Command(ctx.options.logsql) + " --format json"},
                      {"computed_at", ToUnixSeconds(rep.computed_at)},
                      {"stale", a.stale},
                      {"notes", rep.notes}};
         Response r = Json(head);
         r.body.pop_back();  // '}'
         r.body += ",\"result\":";
         r.shared = std::shared_ptr<const std::string>(a.report, &rep.json);  // not copied
         r.tail = "}";
         return r;
       }});
}

}  // namespace honeyvt::web
