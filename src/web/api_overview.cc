// GET /api/v1/overview: tiles, the hourly series and the top lists of a window, from the
// rollups (never logsql), plus what needs attention.
#include "core/strings.h"
#include "web/api.h"
#include "web/api_util.h"
#include "web/queue_view.h"
#include "web/rollups.h"

namespace honeyvt::web {
namespace {

using nlohmann::json;

Result<std::int64_t> One(store::Database& db, const char* sql, std::int64_t a, std::int64_t b) {
  ASSIGN_OR_RETURN(store::Statement s, db.Prepare(sql));
  s.BindAll(a, b);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row && !s.IsNull(0) ? s.Int64(0) : 0;
}

}  // namespace

// Whether the window holds every hour with data. Its answers then come from the all-time
// tables (rollup_hosts, rollup_samples: one row per host or sample) instead of a scan and
// a DISTINCT over every hour of the hourly rollups.
Result<bool> CoversAllData(store::Database& db, const Window& w) {
  ASSIGN_OR_RETURN(store::Statement s, db.Prepare("SELECT min(hour), max(hour) FROM rollup_hours"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row || s.IsNull(0)) return true;
  return w.hour_from <= s.Int64(0) && w.hour_to > s.Int64(1);
}

// "md5 IN (the samples downloaded in the window)", parameters ?1 and ?2 the window's hours.
// Over all the data, the primary key of rollup_samples serves the IN directly.
const char* SamplesIn(bool all) {
  return all ? "md5 IN (SELECT md5 FROM rollup_samples)"
             : "md5 IN (SELECT md5 FROM rollup_sample_hours WHERE hour >= ?1 AND hour < ?2)";
}

Result<json> OverviewTiles(store::Database& db, const Window& w) {
  json t;
  const auto a = w.hour_from, b = w.hour_to;
  ASSIGN_OR_RETURN(const bool all, CoversAllData(db, w));
  ASSIGN_OR_RETURN(store::Statement hours,
                   db.Prepare("SELECT sum(connections), sum(roots), sum(downloads) FROM "
                              "rollup_hours WHERE hour >= ? AND hour < ?"));
  hours.BindAll(a, b);
  ASSIGN_OR_RETURN(bool hours_row, hours.Step());
  auto hour_sum = [&](int col) -> std::int64_t {
    return hours_row && !hours.IsNull(col) ? hours.Int64(col) : 0;
  };
  const std::int64_t connections = hour_sum(0), roots = hour_sum(1), downloads = hour_sum(2);
  hours.Reset();
  ASSIGN_OR_RETURN(
      std::int64_t attackers,
      all ? One(db, "SELECT count(*) FROM rollup_hosts WHERE ? = ?", 0, 0)
          : One(db,
                "SELECT count(DISTINCT host) FROM rollup_attackers WHERE hour >= ? AND hour < ?", a,
                b));
  ASSIGN_OR_RETURN(
      std::int64_t samples,
      all ? One(db, "SELECT count(*) FROM rollup_samples WHERE ? = ?", 0, 0)
          : One(db,
                "SELECT count(DISTINCT md5) FROM rollup_sample_hours WHERE hour >= ? AND hour < ?",
                a, b));
  ASSIGN_OR_RETURN(store::Statement verdicts,
                   db.Prepare(std::string("SELECT count(*), coalesce(sum(positives > 0), 0) FROM "
                                          "rollup_verdicts WHERE ") +
                              SamplesIn(all)));
  verdicts.BindAll(a, b);
  ASSIGN_OR_RETURN(bool verdicts_row, verdicts.Step());
  const std::int64_t with_verdict = verdicts_row ? verdicts.Int64(0) : 0;
  const std::int64_t detected = verdicts_row ? verdicts.Int64(1) : 0;
  verdicts.Reset();
  t["connections"] = connections;
  t["attacks"] = roots;
  t["downloads"] = downloads;
  t["attackers"] = attackers;
  t["samples"] = samples;
  t["samples_with_verdict"] = with_verdict;
  t["samples_detected"] = detected;
  t["coverage"] = samples > 0 ? json(static_cast<double>(with_verdict) / samples) : json(nullptr);
  t["detected_share"] =
      with_verdict > 0 ? json(static_cast<double>(detected) / with_verdict) : json(nullptr);
  return t;
}

void AddOverviewRoutes(Router& router, Context& ctx) {
  router.Add(
      {"GET", "/api/v1/overview", Access::kRead, [&ctx](const Request& req) -> Response {
         const TimePoint now = ctx.clock->Now();
         auto w = ParseWindow(req, now);
         if (!w) return FromError(w.error());
         auto lease = ctx.rollups->Acquire();
         if (!lease) return FromError(lease.error());
         store::Database& db = lease->db();
         auto run = [&]() -> Result<json> {
           json out;
           out["window"] = w->ToJson();
           ASSIGN_OR_RETURN(json tiles, OverviewTiles(db, *w));
           ASSIGN_OR_RETURN(const bool all, CoversAllData(db, *w));
           // Queue and quota from the state database.
           auto slease = ctx.state->Acquire();
           if (!slease) return slease.error();
           ASSIGN_OR_RETURN(std::vector<StateRow> queue, ReadQueue(slease->db(), now));
           ASSIGN_OR_RETURN(QuotaView quota, ReadQuota(slease->db(), ctx.options, queue, now));
           tiles["queue_depth"] = quota.active;
           tiles["backlog_requests"] = quota.backlog_requests;
           tiles["eta_seconds"] =
               std::max<std::int64_t>(0, ToUnixSecondsInt(quota.eta) - ToUnixSecondsInt(now));
           tiles["quota"] = json::array();
           for (const auto& q : quota.windows) {
             tiles["quota"].push_back({{"window", q.spec}, {"used", q.used}, {"limit", q.limit}});
           }
           out["tiles"] = tiles;
           // The hourly series (daily beyond 14 days).
           const std::int64_t bucket =
               w->hour_to - w->hour_from > std::int64_t{14} * 86400 ? 86400 : 3600;
           std::map<std::int64_t, std::array<std::int64_t, 3>> series;
           {
             ASSIGN_OR_RETURN(
                 store::Statement s,
                 db.Prepare("SELECT hour / ?3 * ?3, sum(connections), sum(downloads) FROM "
                            "rollup_hours WHERE hour >= ?1 AND hour < ?2 GROUP BY 1"));
             s.BindAll(w->hour_from, w->hour_to, bucket);
             while (true) {
               ASSIGN_OR_RETURN(bool row, s.Step());
               if (!row) break;
               auto& v = series[s.Int64(0)];
               v[0] = s.Int64(1);
               v[1] = s.Int64(2);
             }
           }
           {
             ASSIGN_OR_RETURN(
                 store::Statement s,
                 db.Prepare("SELECT CAST(stored_at AS INTEGER) / ?3 * ?3, count(*) FROM "
                            "rollup_verdicts WHERE stored_at >= ?1 AND stored_at < ?2 "
                            "GROUP BY 1"));
             s.BindAll(w->hour_from, w->hour_to, bucket);
             while (true) {
               ASSIGN_OR_RETURN(bool row, s.Step());
               if (!row) break;
               series[s.Int64(0)][2] = s.Int64(1);
             }
           }
           json hours = json::array(), conns = json::array(), dls = json::array(),
                verdicts = json::array();
           std::optional<std::int64_t> first, last;
           if (!series.empty()) {
             first = series.begin()->first;
             last = series.rbegin()->first;
           }
           for (std::int64_t h : ChartBuckets(*w, bucket, first, last)) {
             auto it = series.find(h);
             hours.push_back(h);
             conns.push_back(it == series.end() ? 0 : it->second[0]);
             dls.push_back(it == series.end() ? 0 : it->second[1]);
             verdicts.push_back(it == series.end() ? 0 : it->second[2]);
           }
           out["hourly"] = {{"bucket_seconds", bucket},
                            {"hours", hours},
                            {"connections", conns},
                            {"downloads", dls},
                            {"verdicts", verdicts}};
           auto top = [&](const std::string& sql, auto&& fill) -> Status {
             ASSIGN_OR_RETURN(store::Statement s, db.Prepare(sql));
             s.BindAll(w->hour_from, w->hour_to);
             while (true) {
               ASSIGN_OR_RETURN(bool row, s.Step());
               if (!row) break;
               fill(s);
             }
             return OkStatus();
           };
           out["top_services"] = json::array();
           RETURN_IF_ERROR(top(
               "SELECT protocol, port, sum(connections) AS n FROM rollup_hours WHERE "
               "hour >= ? AND hour < ? GROUP BY protocol, port ORDER BY n DESC, "
               "protocol LIMIT 10",
               [&](store::Statement& s) {
                 out["top_services"].push_back(
                     {{"protocol", s.Text(0)}, {"port", s.Int64(1)}, {"connections", s.Int64(2)}});
               }));
           out["top_attackers"] = json::array();
           RETURN_IF_ERROR(top(
               all ? "SELECT host, connections, downloads FROM rollup_hosts WHERE ?1 <= ?2 "
                     "ORDER BY connections DESC, host LIMIT 10"
                   : "SELECT host, sum(connections) AS n, sum(downloads) FROM "
                     "rollup_attackers WHERE hour >= ? AND hour < ? GROUP BY host ORDER BY "
                     "n DESC, host LIMIT 10",
               [&](store::Statement& s) {
                 out["top_attackers"].push_back(
                     {{"host", s.Text(0)}, {"connections", s.Int64(1)}, {"downloads", s.Int64(2)}});
               }));
           out["top_families"] = json::array();
           RETURN_IF_ERROR(top(
               (std::string("SELECT family, count(*) AS n FROM rollup_verdicts WHERE family NOT "
                            "IN ('', 'SINGLETON') AND ") +
                SamplesIn(all) + " GROUP BY family ORDER BY n DESC, family LIMIT 10"),
               [&](store::Statement& s) {
                 out["top_families"].push_back({{"family", s.Text(0)}, {"samples", s.Int64(1)}});
               }));
           // Needs attention.
           json att;
           std::int64_t failed = 0, overdue = 0;
           for (const StateRow& r : queue) {
             if (r.state == "failed") failed = r.count;
             overdue += r.overdue;
           }
           att["failed"] = failed;
           att["stuck"] = overdue;
           ASSIGN_OR_RETURN(std::int64_t last_hour,
                            One(db, "SELECT max(hour) FROM rollup_hours WHERE ? = ?", 0, 0));
           const double last_connection = last_hour > 0 ? static_cast<double>(last_hour + 3600) : 0;
           att["last_connection"] = last_hour > 0 ? json(last_connection) : json(nullptr);
           att["silent_seconds"] =
               last_hour > 0 ? json(ToUnixSeconds(now) - last_connection) : json(nullptr);
           att["honeypot_silent"] = last_hour > 0 && ToUnixSeconds(now) - last_connection > 86400;
           att["undetected"] = json::array();
           // Over all the data: from the partial index of undetected verdicts.
           RETURN_IF_ERROR(
               top(all ? "SELECT v.md5, v.positives, v.total FROM rollup_verdicts v WHERE "
                         "v.positives = 0 AND v.total > 0 AND ?1 <= ?2 AND EXISTS (SELECT 1 "
                         "FROM rollup_samples s WHERE s.md5 = v.md5) ORDER BY v.scan_date "
                         "DESC LIMIT 10"
                       : "SELECT md5, positives, total FROM rollup_verdicts WHERE positives = 0 "
                         "AND total > 0 AND md5 IN (SELECT md5 FROM rollup_sample_hours WHERE "
                         "hour >= ? AND hour < ?) ORDER BY scan_date DESC LIMIT 10",
                   [&](store::Statement& s) {
                     att["undetected"].push_back(
                         {{"md5", s.Text(0)}, {"positives", s.Int64(1)}, {"total", s.Int64(2)}});
                   }));
           att["new_families"] = json::array();
           RETURN_IF_ERROR(top(
               "SELECT v.family, count(*) FROM rollup_verdicts v JOIN rollup_samples s "
               "USING (md5) WHERE v.family NOT IN ('', 'SINGLETON') GROUP BY v.family "
               "HAVING min(s.first_seen) >= ?1 AND min(s.first_seen) < ?2 ORDER BY 2 "
               "DESC LIMIT 10",
               [&](store::Statement& s) {
                 att["new_families"].push_back({{"family", s.Text(0)}, {"samples", s.Int64(1)}});
               }));
           out["attention"] = att;
           out["rollups_ready"] = ctx.rollups_ready.load();
           return out;
         };
         auto out = run();
         if (!out) return FromError(out.error());
         return Json(*out);
       }});
}

}  // namespace honeyvt::web
