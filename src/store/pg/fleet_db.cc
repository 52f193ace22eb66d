// FleetDb: opening, reconnecting, row decoding.
#include "store/pg/fleet_db.h"

#include "store/pg/migrations.h"

namespace honeyvt::pg {

using domain::Job;

Result<FleetDb> FleetDb::Open(std::string_view dsn, std::string_view role) {
  ConnectOptions options;
  options.application_name = "honeyvt/" + std::string(role);
  // Our statements are short; a stuck one (or an idle transaction) must not hold locks
  // for long. The claim waits for the key lock at most lock_timeout.
  options.on_connect =
      "SET statement_timeout = '60s'; SET lock_timeout = '30s'; "
      "SET idle_in_transaction_session_timeout = '60s'";
  ASSIGN_OR_RETURN(Connection conn, Connection::Open(dsn, std::move(options)));
  if (Status st = CheckFleetSchema(conn); !st) {
    Error e = std::move(st).error();
    if (e.code == ErrorCode::kForbidden && e.message.find("fleet init") == std::string::npos) {
      e.message +=
          "; this role lacks rights on honeyvt's tables: grant them with `honeyvt "
          "fleet init DSN --grant ROLE` as the owner (docs/fleet.md)";
    }
    return e;
  }
  return FleetDb(std::move(conn));
}

Status FleetDb::EnsureConnected() {
  if (!conn_.Broken()) return OkStatus();
  RETURN_IF_ERROR(conn_.Reconnect());
  if (holds_lock_) {
    holds_lock_ = false;
    RETURN_IF_ERROR(HoldWorkerLock());
  }
  return OkStatus();
}

Result<PgResult> FleetDb::Run(std::string_view name, std::string_view sql, const Params& params) {
  RETURN_IF_ERROR(EnsureConnected());
  return conn_.Prepared(name, sql, params);
}

Result<Job> JobFromRow(const PgResult& r, int row, int c) {
  Job job;
  job.id = r.Int64(row, c + 0);
  job.md5 = r.Text(row, c + 1);
  job.sha1 = r.Text(row, c + 2);
  job.sha256 = r.Text(row, c + 3);
  job.path = r.Text(row, c + 4);
  job.source = r.Text(row, c + 5);
  job.priority = static_cast<int>(r.Int64(row, c + 6));
  auto state = domain::ParseJobState(r.TextView(row, c + 7));
  if (!state) {
    return MakeError(ErrorCode::kCorrupt, "job " + std::to_string(job.id) + " has unknown state '" +
                                              r.Text(row, c + 7) + "'");
  }
  job.state = *state;
  job.attempts = static_cast<int>(r.Int64(row, c + 8));
  job.polls = static_cast<int>(r.Int64(row, c + 9));
  job.requests = r.Int64(row, c + 10);
  job.next_action_at = r.Time(row, c + 11);
  job.last_error = r.Text(row, c + 12);
  job.analysis_id = r.Text(row, c + 13);
  job.analysis_permalink = r.Text(row, c + 14);
  job.uploaded_at = r.OptTime(row, c + 15);
  job.created_at = r.Time(row, c + 16);
  job.updated_at = r.Time(row, c + 17);
  job.lease_token = r.Int64(row, c + 18);
  job.root = r.Text(row, c + 19);
  std::string seen = r.Text(row, c + 20);  // one folder a line (a root has no newline)
  for (std::size_t at = 0; at < seen.size();) {
    const std::size_t end = std::min(seen.find('\n', at), seen.size());
    if (end > at) job.seen_in.push_back(seen.substr(at, end - at));
    at = end + 1;
  }
  if (!r.IsNull(row, c + 21)) job.size = r.Int64(row, c + 21);
  job.may_upload = r.Bool(row, c + 22);
  job.may_comment = r.Bool(row, c + 23);
  return job;
}

}  // namespace honeyvt::pg
