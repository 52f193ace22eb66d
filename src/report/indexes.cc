#include "report/indexes.h"

namespace honeyvt::report {

const std::vector<IndexSpec>& ReportIndexes() {
  static const std::vector<IndexSpec> kIndexes = {
      {"honeyvt_virustotalscans_result_idx",
       "CREATE INDEX IF NOT EXISTS honeyvt_virustotalscans_result_idx ON virustotalscans "
       "(virustotalscan_result, virustotal)",
       "names -> reports without touching the table: aliases/signatures selection, the "
       "ordered name pass of aliases, the family/ratio pass of families and summary (NULL "
       "rows counted inside the index)"},
      {"honeyvt_virustotalscans_report_idx",
       "CREATE INDEX IF NOT EXISTS honeyvt_virustotalscans_report_idx ON virustotalscans "
       "(virustotal, virustotalscan_scanner, virustotalscan_result)",
       "all rows of one report without touching the table: signatures, aliases of small "
       "families, families/summary with a narrow --since/--until window, history"},
      {"honeyvt_virustotalscans_scanner_idx",
       "CREATE INDEX IF NOT EXISTS honeyvt_virustotalscans_scanner_idx ON virustotalscans "
       "(virustotalscan_scanner, virustotalscan_result, virustotal)",
       "undetected: the reports where one vendor gave / did not give a name"},
  };
  return kIndexes;
}

Result<std::vector<std::string>> AddReportIndexes(store::Database& db) {
  std::vector<std::string> created;
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  for (const IndexSpec& index : ReportIndexes()) {
    ASSIGN_OR_RETURN(store::Statement exists,
                     db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1"));
    exists.Bind(1, index.name);
    ASSIGN_OR_RETURN(bool found, exists.Step());
    if (found) continue;
    RETURN_IF_ERROR(db.Exec(index.sql));
    created.emplace_back(index.name);
  }
  RETURN_IF_ERROR(tx.Commit());
  if (!created.empty()) RETURN_IF_ERROR(db.Exec("ANALYZE virustotalscans"));
  return created;
}

}  // namespace honeyvt::report
