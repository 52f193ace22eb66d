// honeyvt report aliases: every name vendors gave to one family's samples.
#include "report/reports.h"
#include "report/select.h"

namespace honeyvt::report {
namespace {

// hv_hit -> every report of those samples -> every scan row with a name. One row per
// scan row reaches the GROUP BY, so counts are not multiplied by any other join.
constexpr const char* kAliases = R"SQL(
SELECT s.virustotalscan_result, count(DISTINCT r.md5), count(*)
FROM temp.hv_hit h
  CROSS JOIN temp.hv_reports r ON r.md5 = h.md5
  CROSS JOIN virustotalscans s ON s.virustotal = r.virustotal
WHERE s.virustotalscan_result IS NOT NULL AND s.virustotalscan_result <> ''
GROUP BY s.virustotalscan_result
ORDER BY 2 DESC, 3 DESC, 1
LIMIT ?1
)SQL";

std::string Describe(const FamilyQuery& query) {
  return query.by_label ? "family label '" + query.pattern + "'"
                        : "a name containing '" + query.pattern + "'";
}

}  // namespace

Result<Document> Aliases(Source& source, const FamilyQuery& query) {
  ASSIGN_OR_RETURN(std::int64_t hits, SelectFamily(source, query));
  Document doc;
  Table& table = doc.tables.emplace_back();
  table.name = "aliases";
  table.title = "Names given to the " + std::to_string(hits) + " samples with " +
                Describe(query);
  table.columns = {"name", "samples", "scan_rows"};
  ASSIGN_OR_RETURN(store::Statement stmt, source.db().Prepare(kAliases));
  stmt.Bind(1, source.SqlLimit());
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    table.rows.push_back({stmt.Text(0), stmt.Int64(1), stmt.Int64(2)});
  }
  return doc;
}

}  // namespace honeyvt::report
