// FleetDb as the pipeline's domain::UsageStore: the key's ledger (for imports and
// inspection; workers reserve through ClaimReserved) and the fleet's learnt values.
#include "store/pg/fleet_db.h"

namespace honeyvt::pg {

Result<std::int64_t> FleetDb::RecordRequest(TimePoint at, std::string_view kind) {
  // Charged like a granted reservation at `at`, answered at once (no decision: imports of
  // requests that were made already), under the key's lock like every charge.
  ASSIGN_OR_RETURN(
      PgResult r,
      Run("record_request",
          "WITH locked AS MATERIALIZED (SELECT honeyvt.lock_key($1)) "
          "SELECT honeyvt.quota_charge($1, 1, honeyvt.ts($2), $3, NULLIF($4::bigint, 0), "
          "NULL, interval '0') FROM locked",
          Params(id_.key_id, at, kind, id_.worker_id)));
  const std::int64_t id = r.Int64(0, 0);
  ASSIGN_OR_RETURN(PgResult s, Run("record_request_settle",
                                   "UPDATE honeyvt.quota_ledger SET settled_at = reserved_at, "
                                   "outcome = 'answered' WHERE id = $1",
                                   Params(id)));
  (void)s;
  return id;
}

// Both may raise a request's counted_until: ledger_extend voids the sliding windows'
// bounds under the key's lock first (fleet_v1.sql, quota_windows).
Status FleetDb::SettleRequest(std::int64_t id, TimePoint at) {
  ASSIGN_OR_RETURN(PgResult r, Run("settle_request",
                                   "SELECT honeyvt.ledger_extend($1, $2, honeyvt.ts($3), true)",
                                   Params(id_.key_id, id, at)));
  (void)r;
  return OkStatus();
}

Status FleetDb::SettleLatestRequest(TimePoint at) {
  ASSIGN_OR_RETURN(PgResult r, Run("settle_latest",
                                   "SELECT honeyvt.ledger_extend($1, NULL, honeyvt.ts($2), false)",
                                   Params(id_.key_id, at)));
  (void)r;
  return OkStatus();
}

Result<std::vector<TimePoint>> FleetDb::RequestsSince(TimePoint since) {
  ASSIGN_OR_RETURN(PgResult r, Run("requests_since",
                                   "SELECT honeyvt.us(counted_until) FROM honeyvt.quota_ledger "
                                   "WHERE key_id = $1 AND cost > 0 AND counted_until >= "
                                   "honeyvt.ts($2) ORDER BY counted_until",
                                   Params(id_.key_id, since)));
  std::vector<TimePoint> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.Time(i, 0));
  return out;
}

Result<std::int64_t> FleetDb::CountRequestsSince(TimePoint since) {
  ASSIGN_OR_RETURN(PgResult r, Run("count_requests_since",
                                   "SELECT coalesce(sum(cost), 0) FROM honeyvt.quota_ledger "
                                   "WHERE key_id = $1 AND reserved_at >= honeyvt.ts($2)",
                                   Params(id_.key_id, since)));
  return r.Int64(0, 0);
}

Status FleetDb::PruneRequests(TimePoint before) {
  ASSIGN_OR_RETURN(PgResult r, Run("prune_requests",
                                   "DELETE FROM honeyvt.quota_ledger WHERE key_id = $1 AND "
                                   "settled_at IS NOT NULL AND counted_until < honeyvt.ts($2)",
                                   Params(id_.key_id, before)));
  (void)r;
  return OkStatus();
}

Status FleetDb::RecordAnalysisDuration(TimePoint at, std::chrono::seconds duration) {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("record_duration",
                       "WITH ins AS (INSERT INTO honeyvt.analysis_durations (at, seconds) "
                       "VALUES (honeyvt.ts($1), $2)) DELETE FROM honeyvt.analysis_durations "
                       "WHERE id < (SELECT min(id) FROM (SELECT id FROM "
                       "honeyvt.analysis_durations ORDER BY id DESC LIMIT 1000) k)",
                       Params(at, static_cast<std::int64_t>(duration.count()))));
  (void)r;
  return OkStatus();
}

Result<std::vector<std::chrono::seconds>> FleetDb::RecentAnalysisDurations(int limit) {
  ASSIGN_OR_RETURN(PgResult r, Run("recent_durations",
                                   "SELECT seconds FROM honeyvt.analysis_durations "
                                   "ORDER BY at DESC, id DESC LIMIT $1",
                                   Params(limit)));
  std::vector<std::chrono::seconds> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.Int64(i, 0));
  return out;
}

Result<std::optional<double>> FleetDb::LoadTuning(std::string_view key) {
  ASSIGN_OR_RETURN(PgResult r, Run("load_tuning", "SELECT value FROM honeyvt.tuning WHERE key = $1",
                                   Params(key)));
  if (r.rows() == 0) return std::optional<double>();
  return std::optional<double>(r.Double(0, 0));
}

Status FleetDb::SaveTuning(std::string_view key, double value) {
  ASSIGN_OR_RETURN(PgResult r, Run("save_tuning",
                                   "INSERT INTO honeyvt.tuning (key, value) VALUES ($1, $2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                   Params(key, value)));
  (void)r;
  return OkStatus();
}

}  // namespace honeyvt::pg
