#pragma once
// Versioned schema of the fleet database. Migration i (1-based) brings the schema from
// version i-1 to i; each runs in one transaction that also records the version in
// honeyvt.schema_version, under an advisory lock so that two `fleet init` runs do not
// race. A database whose schema is newer than this honeyvt is refused, never downgraded.
// Workers (DML-only roles) never migrate: they check the version and stop with a clear
// message if it is not the one they were built for.

#include <span>
#include <string_view>

#include "core/result.h"
#include "store/pg/connection.h"

namespace honeyvt::pg {

struct PgMigration {
  std::string_view description;
  std::span<const std::string_view> sql;  // executed in order, in one transaction
};

// The migrations of this build, oldest first.
std::span<const PgMigration> FleetMigrations();
int LatestSchemaVersion();

// The schema version of the database; 0 if honeyvt's schema is not there at all.
Result<int> SchemaVersion(Connection& conn);
// Applies the missing migrations; returns the version before. `applied_by` is recorded
// (e.g. "honeyvt 0.1.0"). kCorrupt if the database is newer than this build.
Result<int> MigrateFleet(Connection& conn, std::string_view applied_by);
// For workers: OK only if the schema is exactly LatestSchemaVersion(). kNotFound (not
// initialised: run `honeyvt fleet init`), kInvalidArgument (older: run `honeyvt fleet
// init` to upgrade) or kCorrupt (newer: upgrade honeyvt), each with that advice.
Status CheckFleetSchema(Connection& conn);

}  // namespace honeyvt::pg
