// honeyvt report families: one family label per sample (family.h).
#include <algorithm>

#include "core/time_spec.h"
#include "report/reports.h"
#include "report/verdicts.h"

namespace honeyvt::report {

Result<Document> Families(Source& source) {
  RETURN_IF_ERROR(source.EnsureScope());
  ASSIGN_OR_RETURN(std::vector<Verdict> verdicts, LatestVerdicts(source));
  std::stable_sort(verdicts.begin(), verdicts.end(), [](const Verdict& a, const Verdict& b) {
    const bool sa = a.label.family == kSingleton;
    const bool sb = b.label.family == kSingleton;
    if (sa != sb) return sb;
    if (a.label.family != b.label.family) return a.label.family < b.label.family;
    if (a.label.votes != b.label.votes) return a.label.votes > b.label.votes;
    return a.md5 < b.md5;
  });
  Document doc;
  Table& table = doc.tables.emplace_back();
  table.name = "families";
  table.title = "Family label of each sample's latest report (token vote over vendors' names)";
  table.columns = {"md5", "family", "votes", "positives", "total", "first_seen"};
  const std::int64_t limit = source.filter().limit;
  for (const Verdict& v : verdicts) {
    if (limit > 0 && static_cast<std::int64_t>(table.rows.size()) >= limit) break;
    Cell seen = v.first_seen > 0 ? Cell{FormatUtcDateTime(static_cast<std::int64_t>(v.first_seen))}
                                 : Cell{};
    table.rows.push_back({v.md5, v.label.family, static_cast<std::int64_t>(v.label.votes),
                          static_cast<std::int64_t>(v.positives),
                          static_cast<std::int64_t>(v.total), seen});
  }
  return doc;
}

}  // namespace honeyvt::report
