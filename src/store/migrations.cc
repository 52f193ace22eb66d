#include "store/migrations.h"

#include <string>

namespace honeyvt::store {

Result<int> UserVersion(Database& db) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return MakeError(ErrorCode::kCorrupt, "no user_version");
  return static_cast<int>(stmt.Int64(0));
}

Status Migrate(Database& db, std::span<const Migration> migrations) {
  ASSIGN_OR_RETURN(int version, UserVersion(db));
  const int latest = static_cast<int>(migrations.size());
  if (version > latest) {
    return MakeError(ErrorCode::kCorrupt,
                     db.path().string() + ": schema version " + std::to_string(version) +
                         " is newer than this honeyvt understands (" + std::to_string(latest) +
                         "); upgrade honeyvt");
  }
  for (int v = version; v < latest; ++v) {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    RETURN_IF_ERROR(db.Exec(migrations[static_cast<std::size_t>(v)].sql));
    // PRAGMA takes no bound parameters; the value is our own integer.
    RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(v + 1)));
    RETURN_IF_ERROR(tx.Commit());
  }
  return OkStatus();
}

}  // namespace honeyvt::store
