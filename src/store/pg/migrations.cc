#include "store/pg/migrations.h"

#include <array>
#include <string>

#include "embedded/fleet_v1.h"
#include "embedded/fleet_v1_functions.h"
#include "store/pg/transaction.h"

namespace honeyvt::pg {
namespace {

// Append only (docs/fleet.md, "Schema versions").
const std::array<std::string_view, 2> kV1 = {embedded::fleet_v1, embedded::fleet_v1_functions};
const std::array kMigrations = {
    PgMigration{"queue, sightings, quota ledger, workers, reports", kV1},
};

}  // namespace

std::span<const PgMigration> FleetMigrations() { return kMigrations; }
int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Result<int> SchemaVersion(Connection& conn) {
  ASSIGN_OR_RETURN(PgResult exists,
                   conn.Query("SELECT e, CASE WHEN e THEN has_schema_privilege('honeyvt', "
                              "'USAGE') ELSE false END FROM (SELECT EXISTS (SELECT 1 FROM "
                              "pg_namespace WHERE nspname = 'honeyvt') AS e) x"));
  if (!exists.Bool(0, 0)) return 0;
  if (!exists.Bool(0, 1)) {
    return MakeError(ErrorCode::kForbidden,
                     "this database role may not use honeyvt's schema; grant a sensor's role "
                     "its rights with `honeyvt fleet init DSN --grant ROLE` as the owner "
                     "(docs/fleet.md, roles and grants)");
  }
  ASSIGN_OR_RETURN(PgResult table,
                   conn.Query("SELECT to_regclass('honeyvt.schema_version') IS NOT NULL"));
  if (!table.Bool(0, 0)) return 0;
  ASSIGN_OR_RETURN(PgResult v,
                   conn.Query("SELECT coalesce(max(version), 0) FROM honeyvt.schema_version"));
  return static_cast<int>(v.Int64(0, 0));
}

Result<int> MigrateFleet(Connection& conn, std::string_view applied_by) {
  ASSIGN_OR_RETURN(Transaction lock_tx, Transaction::Begin(conn));
  // One migrating process at a time; the lock ends with this transaction.
  ASSIGN_OR_RETURN(PgResult locked, conn.Query("SELECT pg_advisory_xact_lock(1752593410, 0)"));
  (void)locked;
  ASSIGN_OR_RETURN(const int before, SchemaVersion(conn));
  const int latest = LatestSchemaVersion();
  if (before > latest) {
    return MakeError(ErrorCode::kCorrupt,
                     "the fleet database has schema version " + std::to_string(before) +
                         ", newer than this honeyvt understands (" + std::to_string(latest) +
                         "); upgrade honeyvt on this host");
  }
  for (int v = before; v < latest; ++v) {
    const PgMigration& m = kMigrations[static_cast<std::size_t>(v)];
    for (std::string_view sql : m.sql) RETURN_IF_ERROR(conn.Exec(sql));
    ASSIGN_OR_RETURN(PgResult rec,
                     conn.Query("INSERT INTO honeyvt.schema_version (version, description, "
                                "applied_by) VALUES ($1, $2, $3)",
                                Params(v + 1, m.description, applied_by)));
    (void)rec;
  }
  RETURN_IF_ERROR(lock_tx.Commit());
  return before;
}

Status CheckFleetSchema(Connection& conn) {
  ASSIGN_OR_RETURN(const int version, SchemaVersion(conn));
  const int latest = LatestSchemaVersion();
  if (version == latest) return OkStatus();
  if (version == 0) {
    return MakeError(ErrorCode::kNotFound,
                     "the fleet database has no honeyvt schema; run `honeyvt fleet init` "
                     "with an owner role first (docs/fleet.md)");
  }
  if (version < latest) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the fleet database has schema version " + std::to_string(version) +
                         ", older than this honeyvt (" + std::to_string(latest) +
                         "); run `honeyvt fleet init` with an owner role to upgrade it");
  }
  return MakeError(ErrorCode::kCorrupt, "the fleet database has schema version " +
                                            std::to_string(version) +
                                            ", newer than this honeyvt understands (" +
                                            std::to_string(latest) + "); upgrade honeyvt");
}

}  // namespace honeyvt::pg
