#include "store/job_origins.h"

#include "store/sqlite.h"

namespace honeyvt::store {

Result<std::vector<JobOrigin>> ReadJobOrigins(const std::filesystem::path& state) {
  ASSIGN_OR_RETURN(Database db, Database::Open(state, {.mode = OpenMode::kReadOnly}));
  if (!db.TableExists("jobs")) {
    return MakeError(ErrorCode::kCorrupt,
                     state.string() + ": not a honeyvt state database (no jobs table)");
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db.Prepare("SELECT md5, source, created_at FROM jobs WHERE md5 IS NOT NULL"));
  std::vector<JobOrigin> origins;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    origins.push_back({stmt.Text(0), stmt.Text(1), static_cast<double>(stmt.Int64(2)) / 1000.0});
  }
  return origins;
}

}  // namespace honeyvt::store
