#include "report/indexes.h"

namespace honeyvt::report {

const std::vector<IndexSpec>& ReportIndexes() {
  static const std::vector<IndexSpec> kIndexes = {
      {"honeyvt_virustotalscans_report_idx",
       "CREATE INDEX IF NOT EXISTS honeyvt_virustotalscans_report_idx ON virustotalscans "
       "(virustotal, virustotalscan_scanner, virustotalscan_result)",
       "covers every per-report read (all rows of one report: aliases, signatures, "
       "undetected ratios, history) without touching the table"},
      {"honeyvt_virustotalscans_scanner_idx",
       "CREATE INDEX IF NOT EXISTS honeyvt_virustotalscans_scanner_idx ON virustotalscans "
       "(virustotalscan_scanner, virustotalscan_result, virustotal)",
       "covers undetected's 'reports where vendor X gave no name' without touching the table"},
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
