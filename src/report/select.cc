#include "report/select.h"

#include "core/strings.h"
#include "report/verdicts.h"

namespace honeyvt::report {
namespace {

constexpr const char* kCreateHit = R"SQL(
CREATE TEMP TABLE IF NOT EXISTS hv_hit (md5 TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS hv_names (name TEXT PRIMARY KEY) WITHOUT ROWID;
DELETE FROM temp.hv_hit;
DELETE FROM temp.hv_names;
)SQL";

// Walks the distinct names through the index: each step seeks the next greater name.
constexpr const char* kMatchingNames = R"SQL(
WITH RECURSIVE names(n) AS (
  SELECT (SELECT virustotalscan_result FROM virustotalscans
          WHERE virustotalscan_result IS NOT NULL ORDER BY virustotalscan_result LIMIT 1)
  UNION ALL
  SELECT (SELECT virustotalscan_result FROM virustotalscans
          WHERE virustotalscan_result > names.n ORDER BY virustotalscan_result LIMIT 1)
  FROM names WHERE names.n IS NOT NULL)
INSERT OR IGNORE INTO temp.hv_names (name)
SELECT n FROM names WHERE n IS NOT NULL AND n LIKE ?1 ESCAPE '\'
)SQL";

constexpr const char* kHitsFromNames = R"SQL(
INSERT OR IGNORE INTO temp.hv_hit (md5)
SELECT r.md5 FROM temp.hv_names n CROSS JOIN virustotalscans s
  ON s.virustotalscan_result = n.name
  JOIN temp.hv_reports r ON r.virustotal = s.virustotal
)SQL";

constexpr const char* kHitsByScan = R"SQL(
INSERT OR IGNORE INTO temp.hv_hit (md5)
SELECT r.md5 FROM virustotalscans s JOIN temp.hv_reports r ON r.virustotal = s.virustotal
WHERE s.virustotalscan_result LIKE ?1 ESCAPE '\'
)SQL";

Result<std::int64_t> CountHits(store::Database& db) {
  ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare("SELECT count(*) FROM temp.hv_hit"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int64(0) : 0;
}

}  // namespace

std::string LikeContains(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

bool HasLeadingIndex(store::Database& db, std::string_view table, std::string_view column) {
  auto stmt = db.Prepare(
      "SELECT 1 FROM pragma_index_list(?1) l, pragma_index_info(l.name) i "
      "WHERE i.seqno = 0 AND i.name = ?2 AND l.partial = 0");
  if (!stmt) return false;
  stmt->BindAll(table, column);
  auto row = stmt->Step();
  return row && *row;
}

Result<std::int64_t> SelectFamily(Source& source, const FamilyQuery& query) {
  store::Database& db = source.db();
  RETURN_IF_ERROR(db.Exec(kCreateHit));
  if (query.by_label) {
    ASSIGN_OR_RETURN(std::vector<Verdict> verdicts, LatestVerdicts(source));
    const std::string wanted = ToLower(query.pattern);
    ASSIGN_OR_RETURN(store::Statement insert,
                     db.Prepare("INSERT OR IGNORE INTO temp.hv_hit (md5) VALUES (?1)"));
    for (const Verdict& v : verdicts) {
      if (ToLower(v.label.family) != wanted) continue;
      insert.Reset();
      insert.Bind(1, v.md5);
      RETURN_IF_ERROR(insert.Run());
    }
    return CountHits(db);
  }
  const std::string like = LikeContains(query.pattern);
  if (HasLeadingIndex(db, "virustotalscans", "virustotalscan_result")) {
    ASSIGN_OR_RETURN(store::Statement names, db.Prepare(kMatchingNames));
    names.Bind(1, like);
    RETURN_IF_ERROR(names.Run());
    ASSIGN_OR_RETURN(store::Statement hits, db.Prepare(kHitsFromNames));
    RETURN_IF_ERROR(hits.Run());
  } else {
    ASSIGN_OR_RETURN(store::Statement hits, db.Prepare(kHitsByScan));
    hits.Bind(1, like);
    RETURN_IF_ERROR(hits.Run());
  }
  return CountHits(db);
}

}  // namespace honeyvt::report
