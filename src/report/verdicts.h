#pragma once
// One pass over virustotalscans that yields, for every sample in scope with a report,
// its latest report's detection ratio and family label (family.h). Shared by the
// families, summary and aliases --family reports.
//
// positives = rows of the latest report with a non-NULL, non-empty result (dionaea stores
// "not detected" as NULL; '' is read the same way); total = all rows of that report (engines that
// judged the file).

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "report/family.h"
#include "report/source.h"

namespace honeyvt::report {

struct Verdict {
  std::int64_t virustotal = 0;  // id of the latest report
  std::string md5;
  double first_seen = 0;  // earliest download in scope (Unix seconds; 0 if unknown or
                          // the scope was read without connection times, source.h)
  int positives = 0;
  int total = 0;
  FamilyLabel label;
};

struct VerdictCache;

// Verdicts ordered by md5. `preloaded`: a cache the caller already loaded (and checked),
// else LoadVerdictCache is called here.
Result<std::vector<Verdict>> LatestVerdicts(Source& source,
                                            const VerdictCache* preloaded = nullptr);

}  // namespace honeyvt::report
