#include "report/verdicts.h"

#include "report/tally.h"
#include "report/verdict_cache.h"

namespace honeyvt::report {

Result<std::vector<Verdict>> LatestVerdicts(Source& source, const VerdictCache* preloaded) {
  RETURN_IF_ERROR(source.EnsureScope(/*connection_times=*/false));
  std::vector<Verdict> verdicts;
  for (const ScopeSample& sample : source.samples()) {  // ordered by md5
    if (sample.latest < 0) continue;
    Verdict& v = verdicts.emplace_back();
    v.virustotal = sample.latest;
    v.md5 = sample.md5;
    v.first_seen = sample.first_seen;
  }
  if (verdicts.empty()) return verdicts;
  ASSIGN_OR_RETURN(store::Statement count_all,
                   source.db().Prepare("SELECT count(*) FROM virustotals"));
  ASSIGN_OR_RETURN(bool counted, count_all.Step());
  const std::int64_t all_reports = counted ? count_all.Int64(0) : 0;

  // The verdict cache when it is present and consistent; the reports it lacks (written
  // between the scope and the cache snapshot) and every report without a usable cache
  // are tallied from the scan rows.
  std::optional<VerdictCache> loaded;
  const VerdictCache* cache = preloaded;
  if (cache == nullptr) {
    std::string why;
    ASSIGN_OR_RETURN(loaded, LoadVerdictCache(source.db(), &why));
    if (!loaded && source.db().TableExists("honeyvt_verdicts")) source.AddNote(why);
    if (loaded) cache = &*loaded;
  }
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    const std::int64_t at = cache != nullptr ? cache->index.Find(verdicts[i].virustotal) : -1;
    if (at < 0) {
      missing.push_back(i);
      continue;
    }
    const ReportTally& t = cache->tallies[static_cast<std::size_t>(at)];
    verdicts[i].positives = t.positives;
    verdicts[i].total = t.total;
    verdicts[i].label = t.label;
  }
  std::vector<std::int64_t> ids;
  for (std::size_t i : missing) ids.push_back(verdicts[i].virustotal);
  ASSIGN_OR_RETURN(std::vector<ReportTally> tallies, TallyReports(source.db(), ids, all_reports));
  for (std::size_t k = 0; k < missing.size(); ++k) {
    Verdict& v = verdicts[missing[k]];
    v.positives = tallies[k].positives;
    v.total = tallies[k].total;
    v.label = std::move(tallies[k].label);
  }
  return verdicts;
}

}  // namespace honeyvt::report
