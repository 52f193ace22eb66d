#include "store/journal.h"

#include "store/state_db.h"

namespace honeyvt::store {

Status RecordJobEvent(Database& db, const JobEventRow& row) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db.Prepare("INSERT INTO job_events (job, at, step, outcome, state, requests, "
                              "polls, age_ms, detail) VALUES (?,?,?,?,?,?,?,?,?)"));
  stmt.BindAll(row.job, ToUnixMillis(row.at), row.step, row.outcome, row.state, row.requests,
               row.polls, row.age_ms, row.detail.substr(0, 2000));
  return stmt.Run();
}

Status RecordVtRequest(Database& db, const VtRequestRow& row, int keep_days) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db.Prepare("INSERT INTO vt_requests (at, api, endpoint, code, ms, bytes) "
                              "VALUES (?,?,?,?,?,?)"));
  const std::int64_t at = ToUnixMillis(row.at);
  stmt.BindAll(at, row.api, row.endpoint, row.code, row.ms, row.bytes);
  RETURN_IF_ERROR(stmt.Run());
  // Prune on the first request of each UTC day (cheap: the `at` index).
  const std::int64_t day = 86400000;
  const std::int64_t id = db.LastInsertRowid();
  ASSIGN_OR_RETURN(Statement prev, db.Prepare("SELECT at FROM vt_requests WHERE id < ? "
                                              "ORDER BY id DESC LIMIT 1"));
  prev.Bind(1, id);
  ASSIGN_OR_RETURN(bool has_prev, prev.Step());
  if (!has_prev || prev.Int64(0) / day != at / day) {
    prev.Reset();
    ASSIGN_OR_RETURN(Statement prune, db.Prepare("DELETE FROM vt_requests WHERE at < ?"));
    prune.Bind(1, at - keep_days * day);
    RETURN_IF_ERROR(prune.Run());
  }
  return OkStatus();
}

}  // namespace honeyvt::store
