#pragma once
// Selects the samples of one family for aliases and signatures (in memory, from the
// Source's scope). See FamilyQuery (reports.h) for the two modes.
//
// Substring mode finds the matching distinct names first with a loose index scan over
// an index whose first column is virustotalscan_result (dionaea's
// virustotalscans_result_idx): one seek per distinct name instead of one LIKE per scan
// row. Without such an index it falls back to one pass over the table.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "report/id_index.h"
#include "report/reports.h"
#include "report/source.h"
#include "report/verdict_cache.h"

namespace honeyvt::report {

// The selected samples and every report (not only the latest) of them, each report
// mapped to a sample number 0..samples-1 (numbers follow md5 order).
struct HitReports {
  IdIndex index{-1, 0};
  std::vector<std::int64_t> ids;   // the selected samples' reports, ascending
  std::int64_t reports = 0;        // reports of selected samples
  std::int64_t samples = 0;        // selected samples
  std::int64_t scope_reports = 0;  // reports of all samples in scope
  // The verdict cache with every report's rows, when usable and holding every selected
  // report; aliases and signatures then aggregate from it instead of the scan table.
  std::optional<VerdictCache> cache;
};
Result<HitReports> SelectFamily(Source& source, const FamilyQuery& query);

// "%" + text with \ % _ escaped by \ + "%", for `LIKE ? ESCAPE '\'`.
std::string LikeContains(std::string_view text);

// True if some non-partial index of `table` starts with `columns`, in that order.
bool HasIndexOn(store::Database& db, std::string_view table,
                std::initializer_list<std::string_view> columns);

}  // namespace honeyvt::report
