// honeyvt report signatures: how many distinct names each vendor uses for one family.
#include <map>

#include "report/reports.h"
#include "report/select.h"

namespace honeyvt::report {
namespace {

constexpr const char* kPerVendor = R"SQL(
SELECT s.virustotalscan_scanner,
       count(DISTINCT NULLIF(s.virustotalscan_result, '')),
       count(DISTINCT CASE WHEN NULLIF(s.virustotalscan_result, '') IS NOT NULL
                           THEN r.md5 END),
       count(DISTINCT r.md5)
FROM temp.hv_hit h
  CROSS JOIN temp.hv_reports r ON r.md5 = h.md5
  CROSS JOIN virustotalscans s ON s.virustotal = r.virustotal
GROUP BY s.virustotalscan_scanner
ORDER BY 2 DESC, 1
LIMIT ?1
)SQL";

// Most frequent name per vendor (ties: smallest name).
constexpr const char* kTopName = R"SQL(
SELECT s.virustotalscan_scanner, s.virustotalscan_result, count(*)
FROM temp.hv_hit h
  CROSS JOIN temp.hv_reports r ON r.md5 = h.md5
  CROSS JOIN virustotalscans s ON s.virustotal = r.virustotal
WHERE s.virustotalscan_result IS NOT NULL AND s.virustotalscan_result <> ''
GROUP BY 1, 2
)SQL";

}  // namespace

Result<Document> Signatures(Source& source, const FamilyQuery& query) {
  ASSIGN_OR_RETURN(std::int64_t hits, SelectFamily(source, query));
  std::map<std::string, std::pair<std::string, std::int64_t>> top;
  {
    ASSIGN_OR_RETURN(store::Statement stmt, source.db().Prepare(kTopName));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      auto& best = top[stmt.Text(0)];
      const std::int64_t n = stmt.Int64(2);
      std::string name = stmt.Text(1);
      if (n > best.second || (n == best.second && name < best.first)) best = {name, n};
    }
  }
  Document doc;
  Table& table = doc.tables.emplace_back();
  table.name = "signatures";
  table.title = "Distinct names per vendor for the " + std::to_string(hits) + " samples with " +
                (query.by_label ? "family label '" : "a name containing '") + query.pattern +
                "'";
  table.columns = {"vendor", "names", "detected", "scanned", "top_name"};
  ASSIGN_OR_RETURN(store::Statement stmt, source.db().Prepare(kPerVendor));
  stmt.Bind(1, source.SqlLimit());
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string vendor = stmt.Text(0);
    auto it = top.find(vendor);
    Cell top_name = it == top.end() ? Cell{} : Cell{it->second.first};
    table.rows.push_back({vendor, stmt.Int64(1), stmt.Int64(2), stmt.Int64(3), top_name});
  }
  return doc;
}

}  // namespace honeyvt::report
