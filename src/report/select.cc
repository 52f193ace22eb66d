#include "report/select.h"

#include <algorithm>

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

Result<HitReports> LoadHitReports(Source& source) {
  HitReports hits;
  ASSIGN_OR_RETURN(store::Statement stmt,
                   source.db().Prepare("SELECT r.virustotal, h.md5 FROM temp.hv_hit h "
                                       "CROSS JOIN temp.hv_reports r ON r.md5 = h.md5 "
                                       "ORDER BY h.md5"));
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;  // report, sample number
  std::string last;
  std::int64_t max_id = -1;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (hits.samples == 0 || stmt.TextView(1) != last) {
      last = stmt.Text(1);
      ++hits.samples;
    }
    pairs.emplace_back(stmt.Int64(0), hits.samples - 1);
    max_id = std::max(max_id, stmt.Int64(0));
  }
  hits.reports = static_cast<std::int64_t>(pairs.size());
  hits.index = IdIndex(max_id, hits.reports);
  for (const auto& [id, sample] : pairs) hits.index.Set(id, sample);
  ASSIGN_OR_RETURN(store::Statement scope,
                   source.db().Prepare("SELECT count(*) FROM temp.hv_reports"));
  ASSIGN_OR_RETURN(bool counted, scope.Step());
  hits.scope_reports = counted ? scope.Int64(0) : 0;
  return hits;
}

std::string LikeContains(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

bool HasIndexOn(store::Database& db, std::string_view table,
                std::initializer_list<std::string_view> columns) {
  auto indexes = db.Prepare("SELECT name FROM pragma_index_list(?1) WHERE partial = 0");
  auto info = db.Prepare("SELECT seqno, name FROM pragma_index_info(?1)");
  if (!indexes || !info) return false;
  indexes->Bind(1, table);
  while (true) {
    auto row = indexes->Step();
    if (!row || !*row) return false;
    info->Reset();
    info->Bind(1, indexes->Text(0));
    std::size_t matched = 0;
    while (true) {
      auto col = info->Step();
      if (!col || !*col) break;
      const auto seq = static_cast<std::size_t>(info->Int64(0));
      if (seq < columns.size() && info->TextView(1) == *(columns.begin() + seq)) ++matched;
    }
    if (matched == columns.size()) return true;
  }
}

Result<std::int64_t> SelectFamily(Source& source, const FamilyQuery& query) {
  RETURN_IF_ERROR(source.EnsureScopeTables());
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
  if (HasIndexOn(db, "virustotalscans", {"virustotalscan_result"})) {
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
