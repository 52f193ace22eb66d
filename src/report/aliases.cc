// honeyvt report aliases: every name vendors gave to one family's samples.
#include <algorithm>
#include <unordered_map>

#include "report/reports.h"
#include "report/select.h"

namespace honeyvt::report {
namespace {

// Named scan rows of one report, through the virustotal index.
constexpr const char* kOfReport = R"SQL(
SELECT virustotal, virustotalscan_result FROM virustotalscans
WHERE virustotal = ?1 AND virustotalscan_result IS NOT NULL AND virustotalscan_result <> ''
)SQL";

// Every named scan row, from the covering (virustotalscan_result, virustotal) index.
constexpr const char* kAllNamed = R"SQL(
SELECT virustotal, virustotalscan_result FROM virustotalscans
WHERE virustotalscan_result IS NOT NULL AND virustotalscan_result <> ''
ORDER BY virustotalscan_result
)SQL";

struct NameCount {
  std::vector<std::int64_t> samples;  // sample numbers, deduplicated at the end
  std::int64_t rows = 0;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Line {
  std::string name;
  std::int64_t samples;
  std::int64_t rows;
};

// From the cached rows: (name id, sample) keys sorted, so each name is one run whose
// length is its rows and whose distinct low halves are its samples.
std::vector<Line> FromCache(const HitReports& hits) {
  const VerdictCache& cache = *hits.cache;
  std::vector<std::uint64_t> keys;
  for (std::int64_t id : hits.ids) {
    const auto sample = static_cast<std::uint64_t>(hits.index.Find(id));
    const auto at = static_cast<std::size_t>(cache.index.Find(id));
    for (const CachedRow& row : cache.rows[at]) {
      if (row.name == 0 || cache.names[row.name].empty()) continue;
      keys.push_back((std::uint64_t{row.name} << 32) | sample);
    }
  }
  std::sort(keys.begin(), keys.end());
  std::vector<Line> lines;
  for (std::size_t i = 0; i < keys.size();) {
    const std::uint64_t name = keys[i] >> 32;
    std::int64_t rows = 0;
    std::int64_t samples = 0;
    for (; i < keys.size() && keys[i] >> 32 == name; ++i) {
      ++rows;
      if (rows == 1 || keys[i] != keys[i - 1]) ++samples;
    }
    lines.push_back({cache.names[static_cast<std::size_t>(name)], samples, rows});
  }
  return lines;
}

// From the scan table: one ordered pass or one lookup per report.
Result<std::vector<Line>> FromScans(Source& source, const HitReports& hits) {
  std::unordered_map<std::string, NameCount, StringHash, std::equal_to<>> names;
  // A big family touches a large share of all rows: one ordered pass over the covering
  // index beats hundreds of thousands of lookups.
  const bool full_pass =
      hits.reports * 10 >= hits.scope_reports && hits.reports > 0 &&
      HasIndexOn(source.db(), "virustotalscans", {"virustotalscan_result", "virustotal"});
  auto add = [&](std::int64_t vt, std::string_view name) {
    const std::int64_t sample = hits.index.Find(vt);
    if (sample < 0) return;
    auto it = names.find(name);
    if (it == names.end()) it = names.emplace(std::string(name), NameCount{}).first;
    it->second.samples.push_back(sample);
    ++it->second.rows;
  };
  ASSIGN_OR_RETURN(store::Statement stmt, source.db().Prepare(full_pass ? kAllNamed : kOfReport));
  if (full_pass) {
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      add(stmt.Int64(0), stmt.TextView(1));
    }
  } else {
    for (std::int64_t id : hits.ids) {
      stmt.Reset();
      stmt.Bind(1, id);
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        add(id, stmt.TextView(1));
      }
    }
  }
  std::vector<Line> lines;
  for (auto& [name, count] : names) {
    std::sort(count.samples.begin(), count.samples.end());
    const auto distinct = std::unique(count.samples.begin(), count.samples.end());
    lines.push_back({name, distinct - count.samples.begin(), count.rows});
  }
  return lines;
}

}  // namespace

// Each scan row of a selected sample's report is counted once for its name: rows are
// aggregated in memory (from the cache or one query), so no join can multiply them.
Result<Document> Aliases(Source& source, const FamilyQuery& query) {
  ASSIGN_OR_RETURN(HitReports hits, SelectFamily(source, query));
  const std::int64_t selected = hits.samples;
  std::vector<Line> lines;
  if (hits.cache) {
    lines = FromCache(hits);
  } else {
    ASSIGN_OR_RETURN(lines, FromScans(source, hits));
  }
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    if (a.samples != b.samples) return a.samples > b.samples;
    if (a.rows != b.rows) return a.rows > b.rows;
    return a.name < b.name;
  });
  Document doc;
  Table& table = doc.tables.emplace_back();
  table.name = "aliases";
  table.title = "Names given to the " + std::to_string(selected) + " samples with " +
                (query.by_label ? "family label '" : "a name containing '") + query.pattern + "'";
  table.columns = {"name", "samples", "scan_rows"};
  for (const Line& line : lines) {
    if (source.filter().limit > 0 &&
        static_cast<std::int64_t>(table.rows.size()) >= source.filter().limit) {
      break;
    }
    table.rows.push_back({line.name, line.samples, line.rows});
  }
  return doc;
}

}  // namespace honeyvt::report
