#include "report/verdicts.h"

#include <algorithm>
#include <unordered_map>

#include "report/id_index.h"
#include "report/select.h"

namespace honeyvt::report {

Result<std::vector<Verdict>> LatestVerdicts(Source& source) {
  std::vector<Verdict> verdicts;
  std::int64_t max_id = -1;
  {
    ASSIGN_OR_RETURN(
        store::Statement stmt,
        source.db().Prepare("SELECT r.virustotal, r.md5, s.first_seen FROM temp.hv_reports r "
                            "JOIN temp.hv_samples s ON s.md5 = r.md5 WHERE r.latest = 1 "
                            "ORDER BY r.md5"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      Verdict& v = verdicts.emplace_back();
      v.virustotal = stmt.Int64(0);
      v.md5 = stmt.Text(1);
      v.first_seen = stmt.Double(2);
      max_id = std::max(max_id, v.virustotal);
    }
  }
  if (verdicts.empty()) return verdicts;
  ASSIGN_OR_RETURN(store::Statement count_all,
                   source.db().Prepare("SELECT count(*) FROM virustotals"));
  ASSIGN_OR_RETURN(bool counted, count_all.Step());
  const std::int64_t all_reports = counted ? count_all.Int64(0) : 0;
  IdIndex index(max_id, static_cast<std::int64_t>(verdicts.size()));
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    index.Set(verdicts[i].virustotal, static_cast<std::int64_t>(i));
  }
  FamilyLabeler labeler;
  std::vector<FamilyLabeler::Ballot> ballots(verdicts.size());
  // Feeds one scan row (report id, result) into its verdict.
  std::string last_name;
  const std::vector<std::uint32_t>* last_tokens = nullptr;
  auto add = [&](std::int64_t vt, bool is_null, std::string_view name) {
    const std::int64_t i = index.Find(vt);
    if (i < 0) return;
    Verdict& v = verdicts[static_cast<std::size_t>(i)];
    ++v.total;
    if (is_null || name.empty()) return;
    ++v.positives;
    if (last_tokens == nullptr || name != last_name) {  // rows come grouped by name
      last_name.assign(name);
      last_tokens = &labeler.Tokens(name);
    }
    ballots[static_cast<std::size_t>(i)].Add(*last_tokens);
  };
  const bool narrow = static_cast<std::int64_t>(verdicts.size()) * 4 < all_reports;
  if (narrow) {
    // A narrow window: visit only the reports in scope through the virustotal index.
    ASSIGN_OR_RETURN(store::Statement scans,
                     source.db().Prepare("SELECT s.virustotal, s.virustotalscan_result "
                                         "FROM temp.hv_reports r CROSS JOIN virustotalscans s "
                                         "ON s.virustotal = r.virustotal WHERE r.latest = 1"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, scans.Step());
      if (!row) break;
      add(scans.Int64(0), scans.IsNull(1), scans.TextView(1));
    }
  } else if (HasIndexOn(source.db(), "virustotalscans", {"virustotalscan_result", "virustotal"})) {
    // honeyvt_virustotalscans_result_idx covers both queries: NULL rows are only counted
    // (inside SQLite), named rows arrive grouped by name so each name is split once.
    ASSIGN_OR_RETURN(store::Statement nulls,
                     source.db().Prepare("SELECT virustotal, count(*) FROM virustotalscans "
                                         "WHERE virustotalscan_result IS NULL "
                                         "GROUP BY virustotal"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, nulls.Step());
      if (!row) break;
      const std::int64_t i = index.Find(nulls.Int64(0));
      if (i >= 0) verdicts[static_cast<std::size_t>(i)].total += static_cast<int>(nulls.Int64(1));
    }
    ASSIGN_OR_RETURN(store::Statement named,
                     source.db().Prepare("SELECT virustotal, virustotalscan_result "
                                         "FROM virustotalscans "
                                         "WHERE virustotalscan_result IS NOT NULL "
                                         "ORDER BY virustotalscan_result"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, named.Step());
      if (!row) break;
      add(named.Int64(0), false, named.TextView(1));
    }
  } else {
    // Most reports in scope and no covering index: one sequential pass over the table.
    ASSIGN_OR_RETURN(store::Statement scans,
                     source.db().Prepare("SELECT virustotal, virustotalscan_result "
                                         "FROM virustotalscans"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, scans.Step());
      if (!row) break;
      add(scans.Int64(0), scans.IsNull(1), scans.TextView(1));
    }
  }
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    verdicts[i].label = labeler.Decide(ballots[i]);
  }
  return verdicts;
}

}  // namespace honeyvt::report
