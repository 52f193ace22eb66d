#pragma once
// Additional indexes that make the reports fast on large databases. Reports open the
// database read-only and never create them; only `honeyvt report add-indexes` does.
//
// Every index is an ADDITIONAL index on a dionaea table, named honeyvt_*; no column,
// table, row, trigger or existing index is changed, so dionaea and other readers are
// unaffected (they only pay a little on INSERT). docs/reports.md says why each exists.

#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"

namespace honeyvt::report {

struct IndexSpec {
  const char* name;
  const char* sql;  // CREATE INDEX IF NOT EXISTS ...
  const char* why;
};

const std::vector<IndexSpec>& ReportIndexes();

// Creates the missing indexes in one IMMEDIATE transaction (`db` opened read-write) and
// runs ANALYZE on the tables they cover. Returns the names of the indexes it created.
Result<std::vector<std::string>> AddReportIndexes(store::Database& db);

}  // namespace honeyvt::report
