#include "report/tally.h"

#include <algorithm>
#include <string>

#include "report/id_index.h"
#include "report/select.h"

namespace honeyvt::report {

Result<std::vector<ReportTally>> TallyReports(store::Database& db,
                                              const std::vector<std::int64_t>& ids,
                                              std::int64_t all_reports) {
  std::vector<ReportTally> tallies(ids.size());
  if (ids.empty()) return tallies;
  const std::int64_t max_id = *std::max_element(ids.begin(), ids.end());
  IdIndex index(max_id, static_cast<std::int64_t>(ids.size()));
  for (std::size_t i = 0; i < ids.size(); ++i) index.Set(ids[i], static_cast<std::int64_t>(i));
  FamilyLabeler labeler;
  std::vector<FamilyLabeler::Ballot> ballots(ids.size());
  // Feeds one scan row (report id, result) into its tally.
  std::string last_name;
  const std::vector<std::uint32_t>* last_tokens = nullptr;
  auto add = [&](std::int64_t vt, bool is_null, std::string_view name) {
    const std::int64_t i = index.Find(vt);
    if (i < 0) return;
    ReportTally& t = tallies[static_cast<std::size_t>(i)];
    ++t.total;
    if (is_null || name.empty()) return;
    ++t.positives;
    if (last_tokens == nullptr || name != last_name) {  // full pass: rows grouped by name
      last_name.assign(name);
      last_tokens = &labeler.Tokens(name);
    }
    ballots[static_cast<std::size_t>(i)].Add(*last_tokens);
  };
  const bool narrow = static_cast<std::int64_t>(ids.size()) * 4 < all_reports;
  if (narrow) {
    // Few reports: visit each through the virustotal index (dionaea's or honeyvt's).
    ASSIGN_OR_RETURN(store::Statement scans,
                     db.Prepare("SELECT virustotalscan_result FROM virustotalscans "
                                "WHERE virustotal = ?1"));
    for (std::int64_t id : ids) {
      scans.Reset();
      scans.Bind(1, id);
      while (true) {
        ASSIGN_OR_RETURN(bool row, scans.Step());
        if (!row) break;
        add(id, scans.IsNull(0), scans.TextView(0));
      }
    }
  } else if (HasIndexOn(db, "virustotalscans", {"virustotalscan_result", "virustotal"})) {
    // honeyvt_virustotalscans_result_idx covers both queries: NULL rows are only counted
    // (inside SQLite), named rows arrive grouped by name so each name is split once.
    ASSIGN_OR_RETURN(store::Statement nulls,
                     db.Prepare("SELECT virustotal, count(*) FROM virustotalscans "
                                "WHERE virustotalscan_result IS NULL GROUP BY virustotal"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, nulls.Step());
      if (!row) break;
      const std::int64_t i = index.Find(nulls.Int64(0));
      if (i >= 0) tallies[static_cast<std::size_t>(i)].total += static_cast<int>(nulls.Int64(1));
    }
    ASSIGN_OR_RETURN(store::Statement named,
                     db.Prepare("SELECT virustotal, virustotalscan_result FROM virustotalscans "
                                "WHERE virustotalscan_result IS NOT NULL "
                                "ORDER BY virustotalscan_result"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, named.Step());
      if (!row) break;
      add(named.Int64(0), false, named.TextView(1));
    }
  } else {
    // Most reports and no covering index: one sequential pass over the table.
    ASSIGN_OR_RETURN(store::Statement scans,
                     db.Prepare("SELECT virustotal, virustotalscan_result FROM virustotalscans"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, scans.Step());
      if (!row) break;
      add(scans.Int64(0), scans.IsNull(1), scans.TextView(1));
    }
  }
  for (std::size_t i = 0; i < ids.size(); ++i) tallies[i].label = labeler.Decide(ballots[i]);
  return tallies;
}

}  // namespace honeyvt::report
