#pragma once
// Detection ratio and family label of given virustotals rows, read from virustotalscans.
// Shared by the per-sample verdicts (verdicts.h) and the verdict cache (verdict_cache.h).
//
// positives = rows with a non-NULL, non-empty result (dionaea stores "not detected" as
// NULL; '' is read the same way); total = all rows of the report (engines that judged
// the file); label = FamilyLabeler's vote over the named rows (family.h).

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "report/family.h"
#include "store/sqlite.h"

namespace honeyvt::report {

struct ReportTally {
  int positives = 0;
  int total = 0;
  FamilyLabel label;
};

// One tally per id, in the order of `ids` (ids must be distinct). `all_reports` = rows of
// virustotals: when `ids` is under a quarter of them each report is looked up through
// an index on virustotal, otherwise one pass reads every scan row (through the covering
// honeyvt_virustotalscans_result_idx when present).
Result<std::vector<ReportTally>> TallyReports(store::Database& db,
                                              const std::vector<std::int64_t>& ids,
                                              std::int64_t all_reports);

}  // namespace honeyvt::report
