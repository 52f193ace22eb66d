#pragma once
// Selects the samples of one family for aliases and signatures into temp.hv_hit(md5),
// replacing any earlier selection. See FamilyQuery (reports.h) for the two modes.
//
// Substring mode finds the matching distinct names first with a loose index scan over
// an index whose first column is virustotalscan_result (dionaea's
// virustotalscans_result_idx): one seek per distinct name instead of one LIKE per scan
// row. Without such an index it falls back to one pass over the table.

#include <string>
#include <string_view>

#include "core/result.h"
#include "report/reports.h"
#include "report/source.h"

namespace honeyvt::report {

// Returns the number of samples selected.
Result<std::int64_t> SelectFamily(Source& source, const FamilyQuery& query);

// "%" + text with \ % _ escaped by \ + "%", for `LIKE ? ESCAPE '\'`.
std::string LikeContains(std::string_view text);

// True if some index of `table` starts with `column`.
bool HasLeadingIndex(store::Database& db, std::string_view table, std::string_view column);

}  // namespace honeyvt::report
