#include "report/verdicts.h"

#include <algorithm>
#include <unordered_map>

namespace honeyvt::report {
namespace {

// Index of each latest report's Verdict by virustotal id: a dense vector when ids are
// compact (the usual case), a hash map otherwise.
class IdIndex {
 public:
  IdIndex(const std::vector<Verdict>& verdicts, std::int64_t max_id) {
    dense_ = max_id >= 0 && max_id <= 4 * static_cast<std::int64_t>(verdicts.size()) + 4096;
    if (dense_) table_.assign(static_cast<std::size_t>(max_id) + 1, -1);
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      const std::int64_t id = verdicts[i].virustotal;
      if (dense_ && id >= 0 && id <= max_id) {
        table_[static_cast<std::size_t>(id)] = static_cast<std::int64_t>(i);
      } else {
        sparse_[id] = static_cast<std::int64_t>(i);
      }
    }
  }
  std::int64_t Find(std::int64_t id) const {
    if (dense_ && id >= 0 && id < static_cast<std::int64_t>(table_.size())) {
      return table_[static_cast<std::size_t>(id)];
    }
    auto it = sparse_.find(id);
    return it == sparse_.end() ? -1 : it->second;
  }

 private:
  bool dense_ = false;
  std::vector<std::int64_t> table_;
  std::unordered_map<std::int64_t, std::int64_t> sparse_;
};

}  // namespace

Result<std::vector<Verdict>> LatestVerdicts(Source& source) {
  std::vector<Verdict> verdicts;
  std::int64_t max_id = -1;
  {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     source.db().Prepare(
                         "SELECT r.virustotal, r.md5, s.first_seen FROM temp.hv_reports r "
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
  // Most reports in scope: one sequential scan of the table beats 50,000 index probes.
  // A narrow window: visit only the reports in scope.
  const bool full_scan = static_cast<std::int64_t>(verdicts.size()) * 4 >= all_reports;
  ASSIGN_OR_RETURN(
      store::Statement scans,
      source.db().Prepare(full_scan
                              ? "SELECT virustotal, virustotalscan_result FROM virustotalscans"
                              : "SELECT s.virustotal, s.virustotalscan_result "
                                "FROM temp.hv_reports r CROSS JOIN virustotalscans s "
                                "ON s.virustotal = r.virustotal WHERE r.latest = 1"));
  IdIndex index(verdicts, max_id);
  FamilyLabeler labeler;
  std::vector<FamilyLabeler::Ballot> ballots(verdicts.size());
  while (true) {
    ASSIGN_OR_RETURN(bool row, scans.Step());
    if (!row) break;
    const std::int64_t i = index.Find(scans.Int64(0));
    if (i < 0) continue;
    Verdict& v = verdicts[static_cast<std::size_t>(i)];
    ++v.total;
    if (scans.IsNull(1) || scans.TextView(1).empty()) continue;
    ++v.positives;
    ballots[static_cast<std::size_t>(i)].Add(labeler.Tokens(scans.TextView(1)));
  }
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    verdicts[i].label = labeler.Decide(ballots[i]);
  }
  return verdicts;
}

}  // namespace honeyvt::report
