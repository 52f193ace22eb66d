// honeyvt report signatures: how many distinct names each vendor uses for one family.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "report/reports.h"
#include "report/select.h"

namespace honeyvt::report {
namespace {

// Every scan row of every report of the selected samples (one row per vendor per report).
constexpr const char* kRows = R"SQL(
SELECT s.virustotal, s.virustotalscan_scanner, s.virustotalscan_result
FROM temp.hv_hit h
  CROSS JOIN temp.hv_reports r ON r.md5 = h.md5
  CROSS JOIN virustotalscans s ON s.virustotal = r.virustotal
)SQL";

struct Vendor {
  std::unordered_map<std::string, std::int64_t> names;  // name -> rows
  std::vector<std::int64_t> detected;                   // sample numbers
  std::vector<std::int64_t> scanned;
};

std::int64_t Distinct(std::vector<std::int64_t>& v) {
  std::sort(v.begin(), v.end());
  return std::unique(v.begin(), v.end()) - v.begin();
}

}  // namespace

Result<Document> Signatures(Source& source, const FamilyQuery& query) {
  RETURN_IF_ERROR(source.EnsureScopeTables());
  ASSIGN_OR_RETURN(std::int64_t selected, SelectFamily(source, query));
  ASSIGN_OR_RETURN(HitReports hits, LoadHitReports(source));
  std::map<std::string, Vendor> vendors;
  ASSIGN_OR_RETURN(store::Statement stmt, source.db().Prepare(kRows));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    const std::int64_t sample = hits.index.Find(stmt.Int64(0));
    if (sample < 0) continue;
    Vendor& v = vendors[stmt.Text(1)];
    v.scanned.push_back(sample);
    if (stmt.IsNull(2) || stmt.TextView(2).empty()) continue;
    v.detected.push_back(sample);
    ++v.names[stmt.Text(2)];
  }
  struct Line {
    std::string vendor;
    std::int64_t names, detected, scanned;
    Cell top;
  };
  std::vector<Line> lines;
  for (auto& [name, v] : vendors) {
    const std::pair<const std::string, std::int64_t>* top = nullptr;
    for (const auto& entry : v.names) {
      if (top == nullptr || entry.second > top->second ||
          (entry.second == top->second && entry.first < top->first)) {
        top = &entry;
      }
    }
    lines.push_back({name, static_cast<std::int64_t>(v.names.size()), Distinct(v.detected),
                     Distinct(v.scanned), top == nullptr ? Cell{} : Cell{top->first}});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.names > b.names; });
  Document doc;
  Table& table = doc.tables.emplace_back();
  table.name = "signatures";
  table.title = "Distinct names per vendor for the " + std::to_string(selected) + " samples with " +
                (query.by_label ? "family label '" : "a name containing '") + query.pattern + "'";
  table.columns = {"vendor", "names", "detected", "scanned", "top_name"};
  for (const Line& line : lines) {
    if (source.filter().limit > 0 &&
        static_cast<std::int64_t>(table.rows.size()) >= source.filter().limit) {
      break;
    }
    table.rows.push_back({line.vendor, line.names, line.detected, line.scanned, line.top});
  }
  return doc;
}

}  // namespace honeyvt::report
