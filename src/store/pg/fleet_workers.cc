// FleetDb: sensors, keys, workers, liveness and reclaiming.
#include <fmt/format.h>

#include <algorithm>

#include "store/pg/fleet_db.h"
#include "store/pg/transaction.h"

namespace honeyvt::pg {
namespace {

constexpr std::int64_t kWorkerLockClass = 1752593408;  // honeyvt.sweep probes the same

std::int64_t Us(std::chrono::milliseconds d) { return d.count() * 1000; }

std::string Describe(const KeySettings& k) {
  std::string out = "[";
  for (std::size_t i = 0; i < k.windows.size(); ++i) {
    out += (i > 0 ? ", " : "") + k.windows[i].spec;
  }
  return out + fmt::format("], margin {} ms, boundary guard {} ms, send deadline {} ms",
                           k.sliding_margin.count(), k.boundary_guard.count(),
                           k.send_deadline.count());
}

}  // namespace

Status FleetDb::UseSensor(const std::string& name, UploadPolicy policy) {
  const char* p = policy == UploadPolicy::kNever ? "never" : "always";
  ASSIGN_OR_RETURN(PgResult r,
                   Run("use_sensor",
                       "INSERT INTO honeyvt.sensors AS s (name, upload_policy) VALUES ($1, $2) "
                       "ON CONFLICT (name) DO UPDATE SET upload_policy = excluded.upload_policy "
                       "RETURNING sensor_id",
                       Params(name, p)));
  id_.sensor_id = static_cast<int>(r.Int64(0, 0));
  id_.sensor = name;
  return OkStatus();
}

Status FleetDb::UseKey(const std::string& fingerprint, const KeySettings& settings,
                       std::string* mismatch) {
  RETURN_IF_ERROR(EnsureConnected());
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn_));
  ASSIGN_OR_RETURN(
      PgResult ins,
      conn_.Query("INSERT INTO honeyvt.api_keys (fingerprint, sliding_margin, boundary_guard, "
                  "send_deadline) VALUES ($1, $2 * interval '1 microsecond', "
                  "$3 * interval '1 microsecond', $4 * interval '1 microsecond') "
                  "ON CONFLICT (fingerprint) DO NOTHING RETURNING key_id",
                  Params(fingerprint, Us(settings.sliding_margin), Us(settings.boundary_guard),
                         Us(settings.send_deadline))));
  if (ins.rows() == 1) {
    id_.key_id = static_cast<int>(ins.Int64(0, 0));
    for (std::size_t i = 0; i < settings.windows.size(); ++i) {
      const WindowDef& w = settings.windows[i];
      const bool sliding = w.kind == "sliding";
      Params p(id_.key_id, static_cast<int>(i), w.spec, w.kind, w.limit);
      if (sliding) {
        p.Add(Us(w.length)).AddNull();
      } else {
        p.AddNull().Add(w.periods);
      }
      ASSIGN_OR_RETURN(PgResult done,
                       conn_.Query("INSERT INTO honeyvt.quota_windows (key_id, idx, spec, kind, "
                                   "max_requests, length, periods) VALUES ($1, $2, $3, $4, $5, "
                                   "$6 * interval '1 microsecond', $7)",
                                   p));
      (void)done;
    }
    RETURN_IF_ERROR(tx.Commit());
    key_settings_ = settings;
    if (mismatch != nullptr) mismatch->clear();
    return OkStatus();
  }
  ASSIGN_OR_RETURN(PgResult key,
                   conn_.Query("SELECT key_id, honeyvt.us(timestamptz 'epoch' + sliding_margin), "
                               "honeyvt.us(timestamptz 'epoch' + boundary_guard), "
                               "honeyvt.us(timestamptz 'epoch' + send_deadline) "
                               "FROM honeyvt.api_keys WHERE fingerprint = $1",
                               Params(fingerprint)));
  if (key.rows() != 1) return MakeError(ErrorCode::kInternal, "API key row vanished");
  id_.key_id = static_cast<int>(key.Int64(0, 0));
  KeySettings have;
  have.sliding_margin = std::chrono::milliseconds(key.Int64(0, 1) / 1000);
  have.boundary_guard = std::chrono::milliseconds(key.Int64(0, 2) / 1000);
  have.send_deadline = std::chrono::milliseconds(key.Int64(0, 3) / 1000);
  ASSIGN_OR_RETURN(PgResult ws,
                   conn_.Query("SELECT spec, kind, max_requests, "
                               "honeyvt.us(timestamptz 'epoch' + coalesce(length, '0')), "
                               "coalesce(periods, 1) FROM honeyvt.quota_windows "
                               "WHERE key_id = $1 ORDER BY idx",
                               Params(id_.key_id)));
  for (int i = 0; i < ws.rows(); ++i) {
    have.windows.push_back(WindowDef{ws.Text(i, 0), ws.Text(i, 1), ws.Int64(i, 2),
                                     std::chrono::milliseconds(ws.Int64(i, 3) / 1000),
                                     static_cast<int>(ws.Int64(i, 4))});
  }
  RETURN_IF_ERROR(tx.Commit());
  key_settings_ = have;
  if (mismatch != nullptr) {
    const bool same = have.windows == settings.windows &&
                      have.sliding_margin == settings.sliding_margin &&
                      have.boundary_guard == settings.boundary_guard &&
                      have.send_deadline == settings.send_deadline;
    *mismatch = same ? std::string()
                     : "the fleet's quota for this API key is " + Describe(have) +
                           " (set when the key was first registered); this worker's "
                           "configuration says " +
                           Describe(settings) + "; the fleet's applies";
  }
  return OkStatus();
}

Status FleetDb::RegisterWorker(const std::string& host, std::int64_t pid,
                               const std::string& version) {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("register_worker",
                       "INSERT INTO honeyvt.workers (sensor_id, host, pid, version, started_at, "
                       "heartbeat_at) VALUES ($1, $2, $3, $4, honeyvt.clock(), honeyvt.clock()) "
                       "RETURNING worker_id",
                       Params(id_.sensor_id, host, pid, version)));
  id_.worker_id = r.Int64(0, 0);
  return OkStatus();
}

Status FleetDb::HoldWorkerLock() {
  if (holds_lock_) return OkStatus();
  ASSIGN_OR_RETURN(PgResult r,
                   conn_.Query("SELECT pg_advisory_lock($1, ($2 % 2147483647)::integer)",
                               Params(kWorkerLockClass, id_.worker_id)));
  (void)r;
  holds_lock_ = true;
  return OkStatus();
}

Status FleetDb::Heartbeat() {
  ASSIGN_OR_RETURN(PgResult r, Run("heartbeat",
                                   "UPDATE honeyvt.workers SET heartbeat_at = honeyvt.clock(), "
                                   "stopped_at = NULL, stop_reason = NULL WHERE worker_id = $1",
                                   Params(id_.worker_id)));
  if (r.Affected() != 1) {
    return MakeError(ErrorCode::kNotFound,
                     "worker " + std::to_string(id_.worker_id) + " is not registered");
  }
  return OkStatus();
}

Result<int> FleetDb::Sweep(std::chrono::milliseconds stale_after, int crash_limit,
                           std::chrono::milliseconds every) {
  ASSIGN_OR_RETURN(PgResult r, Run("sweep", "SELECT honeyvt.sweep($1, $2, $3, $4)",
                                   Params(id_.worker_id, Us(stale_after), crash_limit, Us(every))));
  return static_cast<int>(std::max<std::int64_t>(0, r.Int64(0, 0)));
}

Status FleetDb::StopWorker(const std::string& reason) {
  RETURN_IF_ERROR(EnsureConnected());
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn_));
  ASSIGN_OR_RETURN(PgResult stop,
                   conn_.Query("UPDATE honeyvt.workers SET stopped_at = honeyvt.clock(), "
                               "stop_reason = $2 WHERE worker_id = $1",
                               Params(id_.worker_id, reason)));
  (void)stop;
  ASSIGN_OR_RETURN(PgResult free,
                   conn_.Query("UPDATE honeyvt.jobs SET lease_owner = NULL, lease_expires = NULL "
                               "WHERE lease_owner = $1",
                               Params(id_.worker_id)));
  (void)free;
  return tx.Commit();
}

Result<std::int64_t> FleetDb::ReleaseOwnLeases() {
  RETURN_IF_ERROR(EnsureConnected());
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn_));
  ASSIGN_OR_RETURN(PgResult jobs,
                   conn_.Query("UPDATE honeyvt.jobs SET lease_owner = NULL, lease_expires = NULL "
                               "WHERE lease_owner = $1",
                               Params(id_.worker_id)));
  // Nothing of ours is in flight any more: unanswered requests count from now.
  ASSIGN_OR_RETURN(PgResult ledger, conn_.Query("UPDATE honeyvt.quota_ledger SET counted_until = "
                                                "least(counted_until, honeyvt.clock()) "
                                                "WHERE worker_id = $1 AND settled_at IS NULL",
                                                Params(id_.worker_id)));
  (void)ledger;
  RETURN_IF_ERROR(tx.Commit());
  return jobs.Affected();
}

}  // namespace honeyvt::pg
