// FleetDb: the exact shared quota (claim with reservation, settling, refunds, blocks).
#include "store/pg/fleet_db.h"

namespace honeyvt::pg {

using domain::Job;

Result<ReservedClaim> FleetDb::ClaimReserved(domain::JobState state, TimePoint due, int limit,
                                             std::chrono::milliseconds lease, std::string_view kind,
                                             int cost, std::chrono::milliseconds ceiling) {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("claim_reserved",
                       "SELECT * FROM honeyvt.claim($1, $2, $3, $4, $5, $6, $7, $8, "
                       "$9, $10)",
                       Params(id_.key_id, id_.worker_id, id_.sensor_id, domain::JobStateName(state),
                              due, limit, static_cast<std::int64_t>(lease.count()) * 1000, kind,
                              cost, static_cast<std::int64_t>(ceiling.count()) * 1000)));
  ReservedClaim out;
  if (r.rows() == 0) return MakeError(ErrorCode::kInternal, "honeyvt.claim returned no row");
  const std::string_view outcome = r.TextView(0, 0);
  out.db_time = r.Time(0, 2);
  if (outcome == "denied") {
    out.outcome = ReservedClaim::Outcome::kDenied;
    out.retry_at = r.OptTime(0, 1);
    return out;
  }
  if (outcome == "empty") return out;
  out.outcome = ReservedClaim::Outcome::kGranted;
  out.ledger_id = r.Int64(0, 3);
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(Job job, JobFromRow(r, i, 4));
    out.jobs.push_back(std::move(job));
  }
  return out;
}

Status FleetDb::SettleReservation(std::int64_t ledger_id, std::string_view outcome) {
  ASSIGN_OR_RETURN(
      PgResult r, Run("settle", "SELECT honeyvt.quota_settle($1, $2)", Params(ledger_id, outcome)));
  (void)r;
  return OkStatus();
}

Status FleetDb::RefundReservation(std::int64_t ledger_id, std::string_view outcome) {
  ASSIGN_OR_RETURN(
      PgResult r, Run("refund", "SELECT honeyvt.quota_refund($1, $2)", Params(ledger_id, outcome)));
  (void)r;
  return OkStatus();
}

Result<TimePoint> FleetDb::QuotaReply(std::int64_t ledger_id,
                                      std::optional<std::chrono::seconds> retry_after) {
  Params p(id_.key_id, ledger_id);
  if (retry_after) {
    p.Add(static_cast<std::int64_t>(retry_after->count()));
  } else {
    p.AddNull();
  }
  ASSIGN_OR_RETURN(PgResult r, Run("quota_reply", "SELECT honeyvt.quota_reply($1, $2, $3)", p));
  return r.Time(0, 0);
}

Result<TimePoint> FleetDb::PauseKey(TimePoint until, const std::string& reason) {
  ASSIGN_OR_RETURN(PgResult r, Run("quota_pause", "SELECT honeyvt.quota_pause($1, $2, $3)",
                                   Params(id_.key_id, until, reason)));
  return r.Time(0, 0);
}

Result<QuotaSnapshot> FleetDb::QuotaState() {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("quota_state", "SELECT * FROM honeyvt.quota_state($1)", Params(id_.key_id)));
  QuotaSnapshot out;
  for (int i = 0; i < r.rows(); ++i) {
    out.db_time = r.Time(i, 11);
    out.blocked_until = r.OptTime(i, 9);
    out.block_reason = r.Text(i, 10);
    if (r.IsNull(i, 0)) continue;  // a key without windows
    WindowState w;
    w.spec = r.Text(i, 1);
    w.kind = r.Text(i, 2);
    w.used = r.Int64(i, 3);
    w.limit = r.Int64(i, 4);
    w.opens_at = r.Time(i, 5);
    w.resets_at = r.Time(i, 6);
    w.period_start = r.OptTime(i, 7);
    w.period_end = r.OptTime(i, 8);
    out.windows.push_back(std::move(w));
  }
  return out;
}

Result<TimePoint> FleetDb::DatabaseNow() {
  ASSIGN_OR_RETURN(PgResult r, Run("db_now", "SELECT honeyvt.us(honeyvt.clock())", Params()));
  return r.Time(0, 0);
}

}  // namespace honeyvt::pg
