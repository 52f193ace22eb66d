// The queue and quota pages' JSON, and the actions (retry, refresh now, skip).
#include <spdlog/spdlog.h>

#include "core/strings.h"
#include "store/journal.h"
#include "store/state_db.h"
#include "web/api.h"
#include "web/api_util.h"
#include "web/queue_view.h"

namespace honeyvt::web {
namespace {

using nlohmann::json;

json JobJson(store::Statement& s) {
  // id, md5, sha1, sha256, path, source, state, attempts, polls, requests, next_action_at,
  // last_error, created_at, updated_at
  return {{"id", s.Int64(0)},
          {"md5", s.OptText(1) ? json(*s.OptText(1)) : json(nullptr)},
          {"sha1", s.OptText(2) ? json(*s.OptText(2)) : json(nullptr)},
          {"sha256", s.OptText(3) ? json(*s.OptText(3)) : json(nullptr)},
          {"path", s.Text(4)},
          {"source", s.Text(5)},
          {"state", s.Text(6)},
          {"attempts", s.Int64(7)},
          {"polls", s.Int64(8)},
          {"requests", s.Int64(9)},
          {"next_action_at", static_cast<double>(s.Int64(10)) / 1000},
          {"last_error", s.Text(11)},
          {"created_at", static_cast<double>(s.Int64(12)) / 1000},
          {"updated_at", static_cast<double>(s.Int64(13)) / 1000}};
}

constexpr const char* kJobColumns =
    "id, md5, sha1, sha256, path, source, state, attempts, polls, requests, next_action_at, "
    "last_error, created_at, updated_at";

Result<json> Jobs(store::Database& db, const std::string& where, std::int64_t a,
                  const std::string& order, int limit) {
  ASSIGN_OR_RETURN(store::Statement s,
                   db.Prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE " + where +
                              " ORDER BY " + order + " LIMIT ?2"));
  s.BindAll(a, limit);
  json out = json::array();
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(JobJson(s));
  }
  return out;
}

Result<json> Summary(Context& ctx, store::Database& db, TimePoint now) {
  ASSIGN_OR_RETURN(std::vector<StateRow> queue, ReadQueue(db, now));
  ASSIGN_OR_RETURN(QuotaView quota, ReadQuota(db, ctx.options, queue, now));
  json j;
  j["now"] = ToUnixSeconds(now);
  j["active"] = quota.active;
  j["backlog_requests"] = quota.backlog_requests;
  j["eta"] = quota.active > 0 ? json(ToUnixSeconds(quota.eta)) : json(nullptr);
  j["quota"] = json::array();
  for (const auto& w : quota.windows) {
    j["quota"].push_back({{"window", w.spec},
                          {"used", w.used},
                          {"limit", w.limit},
                          {"next_request_at", ToUnixSeconds(std::max(w.opens_at, now))},
                          {"resets_at", ToUnixSeconds(w.resets_at)}});
  }
  j["states"] = json::array();
  for (const StateRow& r : queue) {
    j["states"].push_back(
        {{"state", r.state},
         {"count", r.count},
         {"oldest_update", r.oldest_update_ms ? json(r.oldest_update_ms / 1000.0) : json(nullptr)},
         {"oldest_created",
          r.oldest_created_ms ? json(r.oldest_created_ms / 1000.0) : json(nullptr)},
         {"overdue", r.overdue}});
  }
  j["rollups_as_of"] =
      ctx.rollups_as_of.load() > 0 ? json(ctx.rollups_as_of.load()) : json(nullptr);
  return j;
}

// The job with this hash, or kNotFound.
Result<std::int64_t> JobIdOf(store::Database& db, const std::string& hash) {
  ASSIGN_OR_RETURN(store::Statement s,
                   db.Prepare("SELECT id FROM jobs WHERE md5 = ?1 OR sha1 = ?1 OR sha256 = ?1"));
  s.Bind(1, hash);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return MakeError(ErrorCode::kNotFound, "no queued sample has this hash");
  return s.Int64(0);
}

Status Journal(store::Database& db, std::int64_t job, TimePoint now, const char* step,
               const char* outcome, const char* state) {
  store::JobEventRow e;
  e.job = job;
  e.at = now;
  e.step = step;
  e.outcome = outcome;
  e.state = state;
  e.detail = "via the dashboard";
  return store::RecordJobEvent(db, e);
}

// Applies one action; returns how many jobs changed.
Result<std::int64_t> Act(Context& ctx, const std::string& action, const json& body) {
  if (!ctx.actions_enabled) {
    return MakeError(ErrorCode::kForbidden, "the state database is read-only here");
  }
  const TimePoint now = ctx.clock->Now();
  ASSIGN_OR_RETURN(store::StateDb state, store::StateDb::OpenExisting(ctx.options.StatePath()));
  store::Database& db = state.db();
  const std::string hash = body.contains("hash") && body["hash"].is_string()
                               ? HashParam(body["hash"].get<std::string>())
                               : "";
  if (action == "retry" && body.contains("failed_reason") && body["failed_reason"].is_string()) {
    // Bulk: every failed sample whose reason starts with the text ("" = all failed).
    const std::string prefix = body["failed_reason"].get<std::string>();
    ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
    ASSIGN_OR_RETURN(store::Statement ids,
                     db.Prepare("SELECT id FROM jobs WHERE state = 'failed' AND lease_owner IS "
                                "NULL AND substr(last_error, 1, length(?1)) = ?1"));
    ids.Bind(1, prefix);
    std::vector<std::int64_t> list;
    while (true) {
      ASSIGN_OR_RETURN(bool row, ids.Step());
      if (!row) break;
      list.push_back(ids.Int64(0));
    }
    ids.Reset();
    ASSIGN_OR_RETURN(
        store::Statement up,
        db.Prepare("UPDATE jobs SET state = 'lookup', attempts = 0, polls = 0, "
                   "last_error = '', next_action_at = ?2, updated_at = ?2 WHERE id = ?1"));
    for (std::int64_t id : list) {
      up.Reset();
      up.BindAll(id, store::ToUnixMillis(now));
      RETURN_IF_ERROR(up.Run());
      RETURN_IF_ERROR(Journal(db, id, now, "retry", "requeued", "lookup"));
    }
    RETURN_IF_ERROR(tx.Commit());
    return static_cast<std::int64_t>(list.size());
  }
  if (hash.empty()) return MakeError(ErrorCode::kInvalidArgument, "give a valid md5/sha1/sha256");
  ASSIGN_OR_RETURN(std::int64_t id, JobIdOf(db, hash));
  if (action == "retry" || action == "refresh") {
    ASSIGN_OR_RETURN(std::int64_t n, state.Retry(domain::RetryScope::kHash, hash, now));
    if (n > 0)
      RETURN_IF_ERROR(
          Journal(db, id, now, action == "retry" ? "retry" : "refresh_now", "requeued", "lookup"));
    return n;
  }
  if (action == "skip") {
    ASSIGN_OR_RETURN(store::Statement up,
                     db.Prepare("UPDATE jobs SET state = 'failed', last_error = 'skipped via the "
                                "dashboard', next_action_at = ?2, updated_at = ?2 WHERE id = ?1 "
                                "AND lease_owner IS NULL AND state NOT IN ('done', 'failed')"));
    up.BindAll(id, store::ToUnixMillis(now));
    RETURN_IF_ERROR(up.Run());
    const std::int64_t n = db.Changes();
    if (n > 0) RETURN_IF_ERROR(Journal(db, id, now, "skip", "skipped", "failed"));
    return n;
  }
  return MakeError(ErrorCode::kNotFound, "no such action");
}

}  // namespace

void AddQueueRoutes(Router& router, Context& ctx) {
  router.Add({"GET", "/api/v1/queue/summary", Access::kRead, [&ctx](const Request&) -> Response {
                auto lease = ctx.state->Acquire();
                if (!lease) return FromError(lease.error());
                auto j = Summary(ctx, lease->db(), ctx.clock->Now());
                if (!j) return FromError(j.error());
                return Json(*j);
              }});
  router.Add({"GET", "/api/v1/queue", Access::kRead, [&ctx](const Request& req) -> Response {
                auto lease = ctx.state->Acquire();
                if (!lease) return FromError(lease.error());
                store::Database& db = lease->db();
                const TimePoint now = ctx.clock->Now();
                auto run = [&]() -> Result<json> {
                  ASSIGN_OR_RETURN(json j, Summary(ctx, db, now));
                  const std::int64_t hour_ago = store::ToUnixMillis(now - std::chrono::hours(1));
                  ASSIGN_OR_RETURN(
                      j["stuck"], Jobs(db, "state NOT IN ('done','failed') AND next_action_at < ?1",
                                       hour_ago, "next_action_at", 100));
                  const std::string reason = req.Param("reason");
                  ASSIGN_OR_RETURN(j["failed"], Jobs(db, "state = 'failed' AND ?1 = ?1", 0,
                                                     "updated_at DESC, id DESC", 200));
                  j["failed_reasons"] = json::array();
                  ASSIGN_OR_RETURN(store::Statement r,
                                   db.Prepare("SELECT CASE WHEN instr(last_error, ':') > 0 THEN "
                                              "substr(last_error, 1, instr(last_error, ':') - 1) "
                                              "ELSE last_error END AS kind, count(*) FROM jobs "
                                              "WHERE state = 'failed' GROUP BY kind ORDER BY 2 "
                                              "DESC LIMIT 20"));
                  while (true) {
                    ASSIGN_OR_RETURN(bool row, r.Step());
                    if (!row) break;
                    j["failed_reasons"].push_back({{"reason", r.Text(0)}, {"count", r.Int64(1)}});
                  }
                  // Backlog progress: verdicts per day over the last week.
                  ASSIGN_OR_RETURN(store::Statement p,
                                   db.Prepare("SELECT count(*) FROM job_events WHERE outcome = "
                                              "'report' AND age_ms IS NOT NULL AND at >= ?"));
                  p.Bind(1, store::ToUnixMillis(now - std::chrono::hours(24)));
                  ASSIGN_OR_RETURN(bool row, p.Step());
                  j["verdicts_last_24h"] = row ? p.Int64(0) : 0;
                  std::int64_t total = 0, done = 0;
                  for (const auto& s : j["states"]) {
                    total += s["count"].get<std::int64_t>();
                    if (s["state"] == "done") done = s["count"].get<std::int64_t>();
                  }
                  j["progress"] = {{"done", done}, {"total", total}};
                  // Age histogram of the active jobs (hours since created).
                  ASSIGN_OR_RETURN(store::Statement ages,
                                   db.Prepare("SELECT min(7, CAST((?1 - created_at) / 3600000 AS "
                                              "INTEGER) / 24), count(*) FROM jobs WHERE state NOT "
                                              "IN ('done','failed') GROUP BY 1"));
                  ages.Bind(1, store::ToUnixMillis(now));
                  j["age_days"] = json::array({0, 0, 0, 0, 0, 0, 0, 0});
                  while (true) {
                    ASSIGN_OR_RETURN(bool arow, ages.Step());
                    if (!arow) break;
                    j["age_days"]
                     [static_cast<std::size_t>(std::clamp<std::int64_t>(ages.Int64(0), 0, 7))] =
                         ages.Int64(1);
                  }
                  return j;
                };
                auto j = run();
                if (!j) return FromError(j.error());
                return Json(*j);
              }});
  for (const char* action : {"retry", "refresh", "skip"}) {
    router.Add({"POST", std::string("/api/v1/actions/") + action, Access::kAction,
                [&ctx, action = std::string(action)](const Request& req) -> Response {
                  json body = json::parse(req.body, nullptr, false);
                  if (!body.is_object())
                    return ErrorResponse(400, "the body must be a JSON object");
                  auto n = Act(ctx, action, body);
                  if (!n) {
                    if (n.error().code == ErrorCode::kForbidden)
                      return ErrorResponse(403, n.error().message);
                    return FromError(n.error());
                  }
                  spdlog::info("web: {} of {} sample(s) via the dashboard", action, *n);
                  return Json({{"changed", *n}});
                }});
  }
}

}  // namespace honeyvt::web
