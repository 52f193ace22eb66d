// Samples, one sample, and the quota page's JSON.
#include <fmt/format.h>

#include <charconv>
#include <map>

#include "core/strings.h"
#include "store/state_db.h"
#include "web/api.h"
#include "web/api_util.h"
#include "web/queue_view.h"
#include "web/report_service.h"

namespace honeyvt::web {
namespace {

using nlohmann::json;

json Opt(const store::Statement& s, int col) {
  if (s.IsNull(col)) return nullptr;
  if (s.Type(col) == store::ColumnType::kInteger) return s.Int64(col);
  if (s.Type(col) == store::ColumnType::kFloat) return s.Double(col);
  return s.Text(col);
}

// The keyset cursor of the samples list: "<last_seen>_<md5>" of the last row shown.
std::string SampleCursor(double last_seen, const std::string& md5) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, last_seen);
  (void)ec;
  return std::string(buf, end) + "_" + md5;
}

// Report ids (in the replica) whose row for `vendor` has no name: the samples whose
// latest report is among them are the ones the vendor misses (as `honeyvt report
// undetected VENDOR`).
Result<std::string> MissedReportIds(Context& ctx, const std::string& vendor) {
  if (ctx.reports == nullptr || !ctx.reports->state().caught_up) {
    return MakeError(ErrorCode::kBusy,
                     "the report copy of logsql is still being made; try again in a minute");
  }
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.replica->Acquire());
  ASSIGN_OR_RETURN(store::Statement s,
                   lease.db().Prepare("SELECT virustotal FROM virustotalscans WHERE "
                                      "virustotalscan_scanner = ?1 AND "
                                      "NULLIF(virustotalscan_result, '') IS NULL"));
  s.Bind(1, vendor);
  std::string ids = "[";
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(s.Int64(0));
  }
  return ids + "]";
}

// Samples downloaded in the window (rollups), most recently downloaded first, keyset on
// (last_seen, md5) so samples with the same time are never skipped; joined with the queue
// state and the newest verdict. The state filter is applied here in batches (the queue is
// in another table): a page stops after 5,000 samples looked at and continues from there.
Result<json> Samples(Context& ctx, const Request& req, const Window& w) {
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.rollups->Acquire());
  store::Database& db = lease.db();
  const std::string state = req.Param("state");
  const std::string verdict = req.Param("verdict");  // detected, undetected, none
  const std::string family = req.Param("family");
  const std::string missed_by = req.Param("missed_by");
  const int limit =
      static_cast<int>(std::clamp<std::int64_t>(IntParam(req, "limit").value_or(50), 1, 500));
  double before_time = 1e12;
  std::string before_md5 = "g";  // above every hex md5
  if (const std::string b = req.Param("before"); !b.empty()) {
    const auto sep = b.find('_');
    auto t = ParseDecimal(b.substr(0, sep));
    const std::string md5 = sep == std::string::npos ? "g" : b.substr(sep + 1);
    if (!t || (md5 != "g" && !IsHex(md5, 32))) {
      return MakeError(ErrorCode::kInvalidArgument, "before must be LASTSEEN_MD5 from next_before");
    }
    before_time = *t;
    before_md5 = md5;
  }
  std::string missed_ids;
  if (!missed_by.empty()) {
    ASSIGN_OR_RETURN(missed_ids, MissedReportIds(ctx, missed_by));
  }
  // Undetected samples are few: found through the partial index of undetected verdicts
  // (CROSS JOIN keeps that order of the loops) and sorted, rather than by walking every
  // sample of the window in time order.
  std::string sql =
      "SELECT s.md5, s.first_seen, s.last_seen, s.downloads, v.positives, v.total, v.scan_date, "
      "v.family FROM ";
  sql += verdict == "undetected" ? "rollup_verdicts v CROSS JOIN rollup_samples s ON s.md5 = v.md5 "
                                 : "rollup_samples s LEFT JOIN rollup_verdicts v ON v.md5 = s.md5 ";
  sql += "WHERE s.last_seen >= ?1 AND s.last_seen < ?2 AND (s.last_seen, s.md5) < (?3, ?4) ";
  if (verdict == "detected") sql += "AND v.positives > 0 ";
  if (verdict == "undetected") sql += "AND v.positives = 0 AND v.total > 0 ";
  if (verdict == "none") sql += "AND v.md5 IS NULL ";
  if (!family.empty()) sql += "AND v.family = ?6 ";
  if (!missed_by.empty()) sql += "AND v.virustotal IN (SELECT value FROM json_each(?7)) ";
  sql += "ORDER BY s.last_seen DESC, s.md5 DESC LIMIT ?5";
  ASSIGN_OR_RETURN(store::Statement s, db.Prepare(sql));
  // Queue states from the state database (one indexed lookup per md5).
  ASSIGN_OR_RETURN(Pool::Lease slease, ctx.state->Acquire());
  ASSIGN_OR_RETURN(store::Statement job,
                   slease.db().Prepare("SELECT state, last_error, sha256 FROM jobs WHERE md5 = ?"));
  json rows = json::array();
  json next = nullptr;
  constexpr int kBatch = 500;
  constexpr int kScanBudget = 5000;
  int scanned = 0;
  bool more = true;
  while (more && static_cast<int>(rows.size()) < limit && scanned < kScanBudget) {
    s.Reset();
    s.BindAll(static_cast<double>(w.hour_from), static_cast<double>(w.hour_to), before_time,
              before_md5);
    const int want = state.empty() ? limit - static_cast<int>(rows.size()) + 1 : kBatch;
    s.Bind(5, static_cast<std::int64_t>(want));
    if (!family.empty()) s.Bind(6, family);
    if (!missed_by.empty()) s.Bind(7, missed_ids);
    int got = 0;
    while (static_cast<int>(rows.size()) < limit) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ++got;
      ++scanned;
      before_time = s.Double(2);
      before_md5 = s.Text(0);
      json r = {{"md5", s.Text(0)},        {"first_seen", s.Double(1)}, {"last_seen", s.Double(2)},
                {"downloads", s.Int64(3)}, {"positives", Opt(s, 4)},    {"total", Opt(s, 5)},
                {"scan_date", Opt(s, 6)},  {"family", Opt(s, 7)}};
      job.Reset();
      job.Bind(1, s.Text(0));
      ASSIGN_OR_RETURN(bool has_job, job.Step());
      r["state"] = has_job ? json(job.Text(0)) : json(nullptr);
      r["reason"] = has_job ? json(job.Text(1)) : json(nullptr);
      r["sha256"] = has_job ? Opt(job, 2) : json(nullptr);
      if (!state.empty() && r["state"] != state) continue;
      rows.push_back(std::move(r));
    }
    // Another row after this page's last? Then the next page starts after it.
    if (static_cast<int>(rows.size()) == limit) {
      ASSIGN_OR_RETURN(bool after, s.Step());
      more = after;
    } else {
      more = got == want;
    }
  }
  s.Reset();
  if (more) next = SampleCursor(before_time, before_md5);
  return json{{"window", w.ToJson()}, {"rows", rows}, {"next_before", next}};
}

Result<json> Sample(Context& ctx, const std::string& hash) {
  json out;
  out["hash"] = hash;
  std::string md5 = hash.size() == 32 ? hash : "";
  std::int64_t job_id = -1;
  {
    ASSIGN_OR_RETURN(Pool::Lease lease, ctx.state->Acquire());
    store::Database& db = lease.db();
    ASSIGN_OR_RETURN(
        store::Statement s,
        db.Prepare("SELECT id, md5, sha1, sha256, path, source, state, attempts, polls, requests, "
                   "next_action_at, last_error, created_at, updated_at, priority FROM jobs "
                   "WHERE md5 = ?1 OR sha1 = ?1 OR sha256 = ?1"));
    s.Bind(1, hash);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) {
      job_id = s.Int64(0);
      if (!s.IsNull(1)) md5 = s.Text(1);
      out["job"] = {{"md5", Opt(s, 1)},
                    {"sha1", Opt(s, 2)},
                    {"sha256", Opt(s, 3)},
                    {"path", s.Text(4)},
                    {"source", s.Text(5)},
                    {"state", s.Text(6)},
                    {"attempts", s.Int64(7)},
                    {"polls", s.Int64(8)},
                    {"requests", s.Int64(9)},
                    {"next_action_at", s.Int64(10) / 1000.0},
                    {"last_error", s.Text(11)},
                    {"created_at", s.Int64(12) / 1000.0},
                    {"updated_at", s.Int64(13) / 1000.0},
                    {"priority", s.Int64(14)}};
    } else {
      out["job"] = nullptr;
    }
    out["timeline"] = json::array();
    if (job_id >= 0) {
      out["timeline"].push_back({{"at", out["job"]["created_at"]},
                                 {"step", "enqueue"},
                                 {"outcome", out["job"]["source"]},
                                 {"requests", 0}});
      ASSIGN_OR_RETURN(store::Statement e,
                       db.Prepare("SELECT at, step, outcome, state, requests, polls, detail FROM "
                                  "job_events WHERE job = ? ORDER BY id LIMIT 500"));
      e.Bind(1, job_id);
      while (true) {
        ASSIGN_OR_RETURN(bool erow, e.Step());
        if (!erow) break;
        out["timeline"].push_back({{"at", e.Int64(0) / 1000.0},
                                   {"step", e.Text(1)},
                                   {"outcome", e.Text(2)},
                                   {"state", e.Text(3)},
                                   {"requests", e.Int64(4)},
                                   {"polls", e.Int64(5)},
                                   {"detail", e.Text(6)}});
      }
    }
  }
  out["md5"] = md5.empty() ? json(nullptr) : json(md5);
  out["reports"] = json::array();
  out["engines"] = json::array();
  out["downloads"] = json::array();
  out["verdict"] = nullptr;
  if (md5.empty()) return out;
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.logsql->Acquire());
  store::Database& db = lease.db();
  ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(db, ctx.reads.For("sample")));
  const bool history = db.TableExists("honeyvt_reports");
  // The verdict shown in logsql (latest virustotals row) with its scans.
  ASSIGN_OR_RETURN(store::Statement v,
                   db.Prepare("SELECT virustotal, virustotal_timestamp, virustotal_permalink FROM "
                              "virustotals WHERE virustotal_md5_hash = ? ORDER BY "
                              "virustotal_timestamp DESC, virustotal DESC LIMIT 1"));
  v.Bind(1, md5);
  ASSIGN_OR_RETURN(bool has_v, v.Step());
  if (has_v) {
    const std::int64_t vid = v.Int64(0);
    json verdict = {{"scan_date", v.Int64(1)}, {"permalink", v.Text(2)}};
    v.Reset();
    ASSIGN_OR_RETURN(store::Statement scans,
                     db.Prepare("SELECT virustotalscan_scanner, virustotalscan_result FROM "
                                "virustotalscans WHERE virustotal = ? ORDER BY "
                                "virustotalscan_scanner LIMIT 500"));
    scans.Bind(1, vid);
    int positives = 0, total = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool row, scans.Step());
      if (!row) break;
      ++total;
      const bool detected = !scans.IsNull(1) && !scans.TextView(1).empty();
      positives += detected ? 1 : 0;
      out["engines"].push_back(
          {{"engine", scans.Text(0)}, {"result", Opt(scans, 1)}, {"detected", detected}});
    }
    verdict["positives"] = positives;
    verdict["total"] = total;
    out["verdict"] = verdict;
  }
  if (history) {
    ASSIGN_OR_RETURN(
        store::Statement h,
        db.Prepare("SELECT analysis_date, positives, total, suggested_label, "
                   "fetched_at, api_version, type_description, size, sha256, report "
                   "FROM honeyvt_reports WHERE md5 = ? ORDER BY analysis_date LIMIT 200"));
    h.Bind(1, md5);
    std::int64_t newest = -1;
    while (true) {
      ASSIGN_OR_RETURN(bool row, h.Step());
      if (!row) break;
      out["reports"].push_back({{"analysis_date", h.Int64(0)},
                                {"positives", h.Int64(1)},
                                {"total", h.Int64(2)},
                                {"label", Opt(h, 3)},
                                {"fetched_at", h.Int64(4)},
                                {"api_version", h.Int64(5)}});
      out["type"] = Opt(h, 6);
      out["size"] = Opt(h, 7);
      out["sha256"] = Opt(h, 8);
      newest = h.Int64(9);
    }
    if (newest >= 0) {
      ASSIGN_OR_RETURN(store::Statement e,
                       db.Prepare("SELECT engine, engine_version, engine_update, category, result "
                                  "FROM honeyvt_engine_results WHERE report = ? ORDER BY engine "
                                  "LIMIT 500"));
      e.Bind(1, newest);
      out["engine_details"] = json::array();
      while (true) {
        ASSIGN_OR_RETURN(bool row, e.Step());
        if (!row) break;
        out["engine_details"].push_back({{"engine", e.Text(0)},
                                         {"version", Opt(e, 1)},
                                         {"update", Opt(e, 2)},
                                         {"category", e.Text(3)},
                                         {"result", Opt(e, 4)}});
      }
    }
  }
  // Every download that delivered it (newest first, bounded), with its attack's root.
  ASSIGN_OR_RETURN(store::Statement d,
                   db.Prepare("SELECT d.download, d.download_url, c.connection, "
                              "coalesce(c.connection_root, c.connection), c.connection_timestamp, "
                              "c.remote_host, c.connection_protocol, c.local_port FROM downloads d "
                              "LEFT JOIN connections c ON c.connection = d.connection WHERE "
                              "d.download_md5_hash = ? ORDER BY d.download DESC LIMIT 200"));
  d.Bind(1, md5);
  while (true) {
    ASSIGN_OR_RETURN(bool row, d.Step());
    if (!row) break;
    out["downloads"].push_back({{"download", d.Int64(0)},
                                {"url", Opt(d, 1)},
                                {"connection", Opt(d, 2)},
                                {"root", Opt(d, 3)},
                                {"time", Opt(d, 4)},
                                {"remote_host", Opt(d, 5)},
                                {"protocol", Opt(d, 6)},
                                {"port", Opt(d, 7)}});
  }
  return out;
}

Result<json> Quota(Context& ctx, const Window& w) {
  const TimePoint now = ctx.clock->Now();
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.state->Acquire());
  store::Database& db = lease.db();
  ASSIGN_OR_RETURN(std::vector<StateRow> queue, ReadQueue(db, now));
  ASSIGN_OR_RETURN(QuotaView quota, ReadQuota(db, ctx.options, queue, now));
  json out;
  out["window"] = w.ToJson();
  out["windows"] = json::array();
  for (const auto& q : quota.windows) {
    out["windows"].push_back({{"window", q.spec},
                              {"used", q.used},
                              {"limit", q.limit},
                              {"next_request_at", ToUnixSeconds(std::max(q.opens_at, now))},
                              {"resets_at", ToUnixSeconds(q.resets_at)}});
  }
  const std::int64_t from = static_cast<std::int64_t>(w.from * 1000);
  const std::int64_t to = static_cast<std::int64_t>(w.to * 1000);
  out["requests"] = json::array();
  ASSIGN_OR_RETURN(store::Statement r,
                   db.Prepare("SELECT api, endpoint, code, count(*), avg(ms), max(ms), sum(bytes) "
                              "FROM vt_requests WHERE at >= ? AND at < ? GROUP BY 1, 2, 3 ORDER "
                              "BY 4 DESC LIMIT 200"));
  r.BindAll(from, to);
  while (true) {
    ASSIGN_OR_RETURN(bool row, r.Step());
    if (!row) break;
    out["requests"].push_back({{"api", fmt::format("v{}", r.Int64(0))},
                               {"endpoint", r.Text(1)},
                               {"code", r.Text(2)},
                               {"requests", r.Int64(3)},
                               {"avg_ms", r.Double(4)},
                               {"max_ms", r.Int64(5)},
                               {"upload_bytes", r.Int64(6)}});
  }
  // Requests per hour over the window (at most 7 days of hours; days beyond).
  const std::int64_t bucket = to - from > 7LL * 86400000 ? 86400000 : 3600000;
  ASSIGN_OR_RETURN(store::Statement h,
                   db.Prepare("SELECT at / ?3 * ?3, count(*), sum(code IN ('429', '204')) FROM "
                              "vt_requests WHERE at >= ?1 AND at < ?2 GROUP BY 1 ORDER BY 1"));
  h.BindAll(from, to, bucket);
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> counts;  // bucket (s) -> n
  while (true) {
    ASSIGN_OR_RETURN(bool row, h.Step());
    if (!row) break;
    counts[h.Int64(0) / 1000] = {h.Int64(1), h.Int64(2)};
  }
  json xs = json::array(), all = json::array(), quota_replies = json::array();
  std::optional<std::int64_t> first, last;
  if (!counts.empty()) {
    first = counts.begin()->first;
    last = counts.rbegin()->first;
  }
  for (std::int64_t b : ChartBuckets(w, bucket / 1000, first, last)) {
    auto it = counts.find(b);
    xs.push_back(b);
    all.push_back(it == counts.end() ? 0 : it->second.first);
    quota_replies.push_back(it == counts.end() ? 0 : it->second.second);
  }
  out["per_hour"] = {{"bucket_seconds", bucket / 1000},
                     {"at", xs},
                     {"requests", all},
                     {"quota_replies", quota_replies}};
  // Polls per upload: the polls of each sample whose analysis completed in the window.
  ASSIGN_OR_RETURN(
      store::Statement p,
      db.Prepare("SELECT polls, count(*) FROM job_events WHERE step = 'poll' AND "
                 "outcome = 'report' AND at >= ? AND at < ? GROUP BY polls ORDER BY polls"));
  p.BindAll(from, to);
  out["polls_per_upload"] = json::array();
  double polls = 0, uploads = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, p.Step());
    if (!row) break;
    out["polls_per_upload"].push_back({{"polls", p.Int64(0)}, {"samples", p.Int64(1)}});
    polls += static_cast<double>(p.Int64(0) * p.Int64(1));
    uploads += static_cast<double>(p.Int64(1));
  }
  out["mean_polls_per_upload"] = uploads > 0 ? json(polls / uploads) : json(nullptr);
  // v2: hashes asked per file/report request (lookups and polls share requests).
  ASSIGN_OR_RETURN(store::Statement b,
                   db.Prepare("SELECT (SELECT count(*) FROM job_events WHERE step IN ('lookup', "
                              "'relookup', 'refresh', 'poll') AND at >= ?1 AND at < ?2), "
                              "(SELECT count(*) FROM vt_requests WHERE endpoint IN ('file_report', "
                              "'batch_report') AND api = 2 AND at >= ?1 AND at < ?2)"));
  b.BindAll(from, to);
  ASSIGN_OR_RETURN(bool brow, b.Step());
  out["v2_hashes_per_request"] =
      brow && b.Int64(1) > 0
          ? json(static_cast<double>(b.Int64(0)) / static_cast<double>(b.Int64(1)))
          : json(nullptr);
  out["api_version"] = ctx.options.api_version;
  return out;
}

}  // namespace

void AddSampleRoutes(Router& router, Context& ctx) {
  router.Add({"GET", "/api/v1/samples", Access::kRead, [&ctx](const Request& req) -> Response {
                auto w = ParseWindow(req, ctx.clock->Now());
                if (!w) return FromError(w.error());
                auto j = Samples(ctx, req, *w);
                if (!j) return FromError(j.error());
                if (!req.Param("format").empty()) {
                  ApiTable t{{"md5", "first_seen", "last_seen", "downloads", "positives", "total",
                              "scan_date", "family", "state", "reason"},
                             {}};
                  for (const auto& r : (*j)["rows"]) {
                    std::vector<json> row;
                    for (const auto& c : t.columns) row.push_back(r[c]);
                    t.rows.push_back(std::move(row));
                  }
                  return TableResponse(req, t, "samples");
                }
                return Json(*j);
              }});
  router.Add(
      {"GET", "/api/v1/samples/{hash}", Access::kRead, [&ctx](const Request& req) -> Response {
         const std::string hash = HashParam(req.path_params.at(0));
         if (hash.empty()) return ErrorResponse(400, "not an md5, sha1 or sha256");
         auto j = Sample(ctx, hash);
         if (!j) return FromError(j.error());
         return Json(*j);
       }});
  router.Add({"GET", "/api/v1/quota", Access::kRead, [&ctx](const Request& req) -> Response {
                auto w = ParseWindow(req, ctx.clock->Now());
                if (!w) return FromError(w.error());
                auto j = Quota(ctx, *w);
                if (!j) return FromError(j.error());
                return Json(*j);
              }});
}

}  // namespace honeyvt::web
