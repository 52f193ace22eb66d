// StateDb: the request log behind the quota governor and learned analysis durations.
#include "store/state_db.h"

namespace honeyvt::store {

Result<std::int64_t> StateDb::RecordRequest(TimePoint at, std::string_view kind) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO quota_requests (at, kind) VALUES (?, ?)"));
  stmt.BindAll(ToUnixMillis(at), kind);
  RETURN_IF_ERROR(stmt.Run());
  return db_.LastInsertRowid();
}

Status StateDb::SettleRequest(std::int64_t id, TimePoint at) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("UPDATE quota_requests SET at = max(at, ?) WHERE rowid = ?"));
  stmt.BindAll(ToUnixMillis(at), id);
  return stmt.Run();
}

Status StateDb::SettleLatestRequest(TimePoint at) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("UPDATE quota_requests SET at = max(at, ?) "
                               "WHERE rowid = (SELECT max(rowid) FROM quota_requests)"));
  stmt.Bind(1, ToUnixMillis(at));
  return stmt.Run();
}

Result<std::vector<TimePoint>> StateDb::RequestsSince(TimePoint since) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT at FROM quota_requests WHERE at >= ? ORDER BY at"));
  stmt.Bind(1, ToUnixMillis(since));
  std::vector<TimePoint> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(FromUnixMillis(stmt.Int64(0)));
  }
  return out;
}

Result<std::int64_t> StateDb::CountRequestsSince(TimePoint since) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT count(*) FROM quota_requests WHERE at >= ?"));
  stmt.Bind(1, ToUnixMillis(since));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int64(0) : 0;
}

Status StateDb::PruneRequests(TimePoint before) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM quota_requests WHERE at < ?"));
  stmt.Bind(1, ToUnixMillis(before));
  return stmt.Run();
}

Status StateDb::RecordAnalysisDuration(TimePoint at, std::chrono::seconds duration) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO analysis_durations (at, seconds) VALUES (?, ?)"));
  stmt.BindAll(ToUnixMillis(at), static_cast<std::int64_t>(duration.count()));
  RETURN_IF_ERROR(stmt.Run());
  // Keep the table small: only the newest observations matter.
  return db_.Exec(
      "DELETE FROM analysis_durations WHERE rowid NOT IN "
      "(SELECT rowid FROM analysis_durations ORDER BY at DESC LIMIT 1000)");
}

Result<std::vector<std::chrono::seconds>> StateDb::RecentAnalysisDurations(int limit) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT seconds FROM analysis_durations ORDER BY at DESC LIMIT ?"));
  stmt.Bind(1, limit);
  std::vector<std::chrono::seconds> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.emplace_back(stmt.Int64(0));
  }
  return out;
}

Result<std::optional<double>> StateDb::LoadTuning(std::string_view key) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT value FROM tuning WHERE key = ?"));
  stmt.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.Type(0) == ColumnType::kNull) return std::optional<double>();
  return std::optional<double>(stmt.Double(0));
}

Status StateDb::SaveTuning(std::string_view key, double value) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO tuning (key, value) VALUES (?, ?) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  stmt.BindAll(key, value);
  return stmt.Run();
}

}  // namespace honeyvt::store
