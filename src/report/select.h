#pragma once
// Selects the samples of one family for aliases and signatures into temp.hv_hit(md5),
// replacing any earlier selection. See FamilyQuery (reports.h) for the two modes.
//
// Substring mode finds the matching distinct names first with a loose index scan over
// an index whose first column is virustotalscan_result (dionaea's
// virustotalscans_result_idx): one seek per distinct name instead of one LIKE per scan
// row. Without such an index it falls back to one pass over the table.

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/result.h"
#include "report/id_index.h"
#include "report/reports.h"
#include "report/source.h"

namespace honeyvt::report {

// Returns the number of samples selected.
Result<std::int64_t> SelectFamily(Source& source, const FamilyQuery& query);

// Every report (not only the latest) of the samples in temp.hv_hit, mapped to a sample
// number 0..samples-1.
struct HitReports {
  IdIndex index{-1, 0};
  std::int64_t reports = 0;        // reports of selected samples
  std::int64_t samples = 0;        // selected samples
  std::int64_t scope_reports = 0;  // reports of all samples in scope
};
Result<HitReports> LoadHitReports(Source& source);

// "%" + text with \ % _ escaped by \ + "%", for `LIKE ? ESCAPE '\'`.
std::string LikeContains(std::string_view text);

// True if some non-partial index of `table` starts with `columns`, in that order.
bool HasIndexOn(store::Database& db, std::string_view table,
                std::initializer_list<std::string_view> columns);

}  // namespace honeyvt::report
