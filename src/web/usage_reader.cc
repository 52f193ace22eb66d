#include "web/usage_reader.h"

#include "store/state_db.h"

namespace honeyvt::web {

Result<std::vector<TimePoint>> UsageReader::RequestsSince(TimePoint since) {
  ASSIGN_OR_RETURN(store::Statement stmt,
                   db_.Prepare("SELECT at FROM quota_requests WHERE at >= ? ORDER BY at"));
  stmt.Bind(1, store::ToUnixMillis(since));
  std::vector<TimePoint> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(store::FromUnixMillis(stmt.Int64(0)));
  }
  return out;
}

Result<std::int64_t> UsageReader::CountRequestsSince(TimePoint since) {
  ASSIGN_OR_RETURN(store::Statement stmt,
                   db_.Prepare("SELECT count(*) FROM quota_requests WHERE at >= ?"));
  stmt.Bind(1, store::ToUnixMillis(since));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int64(0) : 0;
}

Result<std::vector<std::chrono::seconds>> UsageReader::RecentAnalysisDurations(int limit) {
  ASSIGN_OR_RETURN(store::Statement stmt, db_.Prepare("SELECT seconds FROM analysis_durations "
                                                      "ORDER BY at DESC LIMIT ?"));
  stmt.Bind(1, limit);
  std::vector<std::chrono::seconds> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.emplace_back(stmt.Int64(0));
  }
  return out;
}

}  // namespace honeyvt::web
