#pragma once
// Ordered schema migrations for databases honeyvt owns. Migration i (1-based) brings the
// schema from version i-1 to i; the version is recorded in PRAGMA user_version inside the
// same transaction, so a crash leaves either the old or the new version, never half.
// A database newer than the code (user_version > migrations) is refused, not downgraded.

#include <span>
#include <string_view>

#include "store/sqlite.h"

namespace honeyvt::store {

struct Migration {
  std::string_view description;
  std::string_view sql;  // one or more statements
};

Status Migrate(Database& db, std::span<const Migration> migrations);
Result<int> UserVersion(Database& db);

}  // namespace honeyvt::store
