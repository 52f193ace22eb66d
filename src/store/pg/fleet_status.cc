// FleetDb: the fleet at a glance, for `honeyvt status --fleet`.
#include "store/pg/fleet_db.h"

namespace honeyvt::pg {

Result<FleetStatus> FleetDb::ReadFleetStatus(std::chrono::milliseconds dead_after,
                                             int max_failures) {
  FleetStatus out;
  const std::int64_t stale_us = dead_after.count() * 1000;
  ASSIGN_OR_RETURN(PgResult now, Run("status_now", "SELECT honeyvt.us(honeyvt.clock())", Params()));
  out.db_time = now.Time(0, 0);
  ASSIGN_OR_RETURN(
      PgResult w,
      Run("status_workers",
          "WITH ws AS (SELECT w.*, s.name, w.stopped_at IS NULL AND w.heartbeat_at > "
          "honeyvt.ts($1) - $2 * interval '1 microsecond' AS alive FROM honeyvt.workers w "
          "JOIN honeyvt.sensors s USING (sensor_id)) "
          "SELECT worker_id, name, host, pid, version, honeyvt.us(started_at), "
          "honeyvt.us(heartbeat_at), honeyvt.us(stopped_at), coalesce(stop_reason, ''), alive, "
          "coalesce(l.n, 0) FROM ws LEFT JOIN (SELECT lease_owner, count(*) AS n FROM "
          "honeyvt.jobs WHERE lease_owner IS NOT NULL GROUP BY 1) l ON l.lease_owner = "
          "ws.worker_id WHERE stopped_at IS NULL OR worker_id IN (SELECT worker_id FROM ws WHERE "
          "stopped_at IS NOT NULL ORDER BY stopped_at DESC LIMIT 20) "
          "ORDER BY stopped_at IS NOT NULL, name, worker_id",
          Params(out.db_time, stale_us)));
  for (int i = 0; i < w.rows(); ++i) {
    FleetStatus::Worker x;
    x.id = w.Int64(i, 0);
    x.sensor = w.Text(i, 1);
    x.host = w.Text(i, 2);
    x.pid = w.Int64(i, 3);
    x.version = w.Text(i, 4);
    x.started_at = w.Time(i, 5);
    x.heartbeat_at = w.Time(i, 6);
    x.stopped_at = w.OptTime(i, 7);
    x.stop_reason = w.Text(i, 8);
    x.alive = w.Bool(i, 9);
    x.leased = w.Int64(i, 10);
    out.workers.push_back(std::move(x));
  }
  ASSIGN_OR_RETURN(
      PgResult s,
      Run("status_sensors",
          "SELECT se.name, se.upload_policy, "
          "(SELECT count(*) FROM honeyvt.sightings g WHERE g.sensor_id = se.sensor_id), "
          "(SELECT count(*) FROM honeyvt.sightings g WHERE g.sensor_id = se.sensor_id AND "
          "g.has_file), "
          "(SELECT count(*) FROM honeyvt.workers w WHERE w.sensor_id = se.sensor_id AND "
          "w.stopped_at IS NULL AND w.heartbeat_at > honeyvt.ts($1) - $2 * interval "
          "'1 microsecond'), "
          "(SELECT count(*) FROM honeyvt.reports r WHERE r.seq > coalesce((SELECT last_seq "
          "FROM honeyvt.mirror_cursor m WHERE m.sensor_id = se.sensor_id), 0) AND EXISTS "
          "(SELECT 1 FROM honeyvt.sightings g JOIN honeyvt.jobs j ON j.id = g.job_id WHERE "
          "g.sensor_id = se.sensor_id AND j.md5 = r.md5)) "
          "FROM honeyvt.sensors se ORDER BY se.name",
          Params(out.db_time, stale_us)));
  for (int i = 0; i < s.rows(); ++i) {
    out.sensors.push_back(
        {s.Text(i, 0), s.Text(i, 1), s.Int64(i, 2), s.Int64(i, 3), s.Int64(i, 4), s.Int64(i, 5)});
  }
  ASSIGN_OR_RETURN(PgResult k, Run("status_keys",
                                   "SELECT key_id, left(fingerprint, 12), (SELECT count(*) FROM "
                                   "honeyvt.quota_ledger l WHERE l.key_id = k.key_id AND "
                                   "l.settled_at IS NULL) FROM honeyvt.api_keys k ORDER BY key_id",
                                   Params()));
  const int own_key = id_.key_id;
  for (int i = 0; i < k.rows(); ++i) {
    FleetStatus::Key key;
    key.fingerprint = k.Text(i, 1);
    key.in_flight = k.Int64(i, 2);
    id_.key_id = static_cast<int>(k.Int64(i, 0));
    auto q = QuotaState();
    id_.key_id = own_key;
    if (!q) return std::move(q).error();
    key.quota = std::move(*q);
    out.keys.push_back(std::move(key));
  }
  ASSIGN_OR_RETURN(out.counts, Counts());
  ASSIGN_OR_RETURN(
      PgResult h,
      Run("status_waiting",
          "SELECT count(*) FROM honeyvt.jobs j WHERE j.state = 'upload' AND NOT EXISTS "
          "(SELECT 1 FROM honeyvt.sightings g JOIN honeyvt.sensors se USING (sensor_id) "
          "JOIN honeyvt.workers w ON w.sensor_id = g.sensor_id WHERE g.job_id = j.id AND "
          "g.has_file AND se.upload_policy = 'always' AND w.stopped_at IS NULL AND "
          "w.heartbeat_at > honeyvt.ts($1) - $2 * interval '1 microsecond')",
          Params(out.db_time, stale_us)));
  out.waiting_for_holder = h.Int64(0, 0);
  ASSIGN_OR_RETURN(PgResult r,
                   Run("status_reports", "SELECT count(*) FROM honeyvt.reports", Params()));
  out.reports = r.Int64(0, 0);
  ASSIGN_OR_RETURN(out.failures, List(domain::JobState::kFailed, max_failures));
  return out;
}

}  // namespace honeyvt::pg
