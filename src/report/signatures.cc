// honeyvt report signatures: how many distinct names each vendor uses for one family.
#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "report/reports.h"
#include "report/select.h"

namespace honeyvt::report {
namespace {

// Every scan row of one report (one row per vendor).
constexpr const char* kRows = R"SQL(
SELECT virustotalscan_scanner, virustotalscan_result FROM virustotalscans WHERE virustotal = ?1
)SQL";

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Distinct selected samples, by sample number (one flag per selected sample).
class SampleSet {
 public:
  explicit SampleSet(std::int64_t samples) : seen_(static_cast<std::size_t>(samples), 0) {}
  void Add(std::int64_t sample) {
    char& flag = seen_[static_cast<std::size_t>(sample)];
    count_ += flag == 0 ? 1 : 0;
    flag = 1;
  }
  std::int64_t count() const { return count_; }

 private:
  std::vector<char> seen_;
  std::int64_t count_ = 0;
};

struct Vendor {
  explicit Vendor(std::int64_t samples) : detected(samples), scanned(samples) {}
  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> names;  // -> rows
  SampleSet detected;
  SampleSet scanned;
};

}  // namespace

Result<Document> Signatures(Source& source, const FamilyQuery& query) {
  ASSIGN_OR_RETURN(HitReports hits, SelectFamily(source, query));
  const std::int64_t selected = hits.samples;
  struct Line {
    std::string vendor;
    std::int64_t names, detected, scanned;
    Cell top;
  };
  std::vector<Line> lines;
  if (hits.cache) {
    // From the cached rows: vendors and names are small integers.
    const VerdictCache& cache = *hits.cache;
    struct ById {
      explicit ById(std::int64_t samples) : detected(samples), scanned(samples) {}
      SampleSet detected;
      SampleSet scanned;
      std::unordered_map<std::uint32_t, std::int64_t> names;  // name id -> rows
    };
    std::vector<std::optional<ById>> by_id(cache.vendors.size());
    for (std::int64_t id : hits.ids) {
      const std::int64_t sample = hits.index.Find(id);
      for (const CachedRow& row : cache.rows[static_cast<std::size_t>(cache.index.Find(id))]) {
        std::optional<ById>& v = by_id[row.vendor];
        if (!v) v.emplace(hits.samples);
        v->scanned.Add(sample);
        if (row.name == 0 || cache.names[row.name].empty()) continue;
        v->detected.Add(sample);
        ++v->names[row.name];
      }
    }
    for (std::size_t vendor = 0; vendor < by_id.size(); ++vendor) {
      if (!by_id[vendor]) continue;
      const ById& v = *by_id[vendor];
      const std::string* top = nullptr;
      std::int64_t top_rows = 0;
      for (const auto& [name, rows] : v.names) {
        const std::string& text = cache.names[name];
        if (top == nullptr || rows > top_rows || (rows == top_rows && text < *top)) {
          top = &text;
          top_rows = rows;
        }
      }
      lines.push_back({cache.vendors[vendor], static_cast<std::int64_t>(v.names.size()),
                       v.detected.count(), v.scanned.count(),
                       top == nullptr ? Cell{} : Cell{*top}});
    }
  }
  std::unordered_map<std::string, Vendor, StringHash, std::equal_to<>> vendors;
  // Reports list their vendors in the same order (the index is ordered by scanner), so
  // the vendor of a report's k-th row is guessed from the previous report and checked
  // by comparing the name, instead of hashing it on every row.
  std::vector<std::pair<std::string_view, Vendor*>> by_rank;
  ASSIGN_OR_RETURN(store::Statement stmt, source.db().Prepare(kRows));
  for (std::int64_t id : hits.cache ? std::vector<std::int64_t>() : hits.ids) {
    const std::int64_t sample = hits.index.Find(id);
    stmt.Reset();
    stmt.Bind(1, id);
    for (std::size_t rank = 0;; ++rank) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      const std::string_view scanner = stmt.TextView(0);
      if (rank >= by_rank.size()) by_rank.resize(rank + 1, {std::string_view(), nullptr});
      if (by_rank[rank].second == nullptr || by_rank[rank].first != scanner) {
        auto vendor = vendors.find(scanner);
        if (vendor == vendors.end()) {
          vendor = vendors.emplace(std::string(scanner), Vendor(hits.samples)).first;
        }
        by_rank[rank] = {vendor->first, &vendor->second};
      }
      Vendor& v = *by_rank[rank].second;
      v.scanned.Add(sample);
      if (stmt.IsNull(1) || stmt.TextView(1).empty()) continue;
      v.detected.Add(sample);
      auto name = v.names.find(stmt.TextView(1));
      if (name == v.names.end()) name = v.names.emplace(stmt.Text(1), 0).first;
      ++name->second;
    }
  }
  for (auto& [name, v] : vendors) {
    const std::pair<const std::string, std::int64_t>* top = nullptr;
    for (const auto& entry : v.names) {
      if (top == nullptr || entry.second > top->second ||
          (entry.second == top->second && entry.first < top->first)) {
        top = &entry;
      }
    }
    lines.push_back({name, static_cast<std::int64_t>(v.names.size()), v.detected.count(),
                     v.scanned.count(), top == nullptr ? Cell{} : Cell{top->first}});
  }
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    return a.names != b.names ? a.names > b.names : a.vendor < b.vendor;
  });
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
