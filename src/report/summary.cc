// honeyvt report summary: the state of the sample collection in one screen.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/time_spec.h"

#include "report/reports.h"
#include "report/verdicts.h"

namespace honeyvt::report {
namespace {

struct Bucket {
  const char* label;
  double low;   // inclusive share of engines detecting
  double high;  // exclusive (the last bucket includes 1.0)
};
constexpr std::array<Bucket, 6> kBuckets = {{
    {"0% (no engine)", 0.0, 1e-12},
    {"1-9%", 1e-12, 0.10},
    {"10-24%", 0.10, 0.25},
    {"25-49%", 0.25, 0.50},
    {"50-74%", 0.50, 0.75},
    {"75-100%", 0.75, 1.01},
}};

Table NewTable(const char* name, std::string title) {
  Table t;
  t.name = name;
  t.title = std::move(title);
  t.columns = {"item", "count"};
  return t;
}

}  // namespace

Result<Document> Summary(Source& source) {
  RETURN_IF_ERROR(source.EnsureScope());
  ASSIGN_OR_RETURN(std::vector<Verdict> verdicts, LatestVerdicts(source));
  Document doc;

  Table totals =
      NewTable("totals", "Totals (a sample = a downloaded md5, or an md5 with a report)");
  {
    // From the in-memory scope (source.h): samples, their downloads in the window, the
    // samples with a latest report, and every report of the samples in scope.
    const std::int64_t samples = static_cast<std::int64_t>(source.samples().size());
    std::int64_t downloads = 0;
    for (const ScopeSample& s : source.samples()) downloads += s.downloads;
    const auto with_report = static_cast<std::int64_t>(verdicts.size());
    const auto singletons = std::count_if(verdicts.begin(), verdicts.end(), [](const Verdict& v) {
      return v.label.family == kSingleton;
    });
    totals.rows = {{std::string("samples"), samples},
                   {std::string("downloads"), downloads},
                   {std::string("samples_with_report"), with_report},
                   {std::string("samples_without_verdict"), samples - with_report},
                   {std::string("reports"), static_cast<std::int64_t>(source.reports().size())},
                   {std::string("samples_without_family"), static_cast<std::int64_t>(singletons)}};
  }
  doc.tables.push_back(std::move(totals));

  Table ratio = NewTable("detection_ratio",
                         "Detection ratio of the latest report (engines naming it / engines)");
  std::array<std::int64_t, kBuckets.size()> counts{};
  std::int64_t empty_reports = 0;
  for (const Verdict& v : verdicts) {
    if (v.total == 0) {
      ++empty_reports;
      continue;
    }
    const double share = static_cast<double>(v.positives) / v.total;
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      if (share >= kBuckets[b].low && share < kBuckets[b].high) ++counts[b];
    }
  }
  for (std::size_t b = 0; b < kBuckets.size(); ++b) {
    ratio.rows.push_back({std::string(kBuckets[b].label), counts[b]});
  }
  if (empty_reports > 0) ratio.rows.push_back({std::string("no scan rows"), empty_reports});
  doc.tables.push_back(std::move(ratio));

  const std::int64_t top_n = source.filter().limit > 0 ? source.filter().limit : 10;
  Table families =
      NewTable("top_families", "Top " + std::to_string(top_n) +
                                   " families (samples per label; singletons left out)");
  std::map<std::string, std::int64_t> per_family;
  for (const Verdict& v : verdicts) {
    if (v.label.family != kSingleton) ++per_family[v.label.family];
  }
  std::vector<std::pair<std::string, std::int64_t>> ranked(per_family.begin(), per_family.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (std::size_t i = 0; i < ranked.size() && static_cast<std::int64_t>(i) < top_n; ++i) {
    families.rows.push_back({ranked[i].first, ranked[i].second});
  }
  doc.tables.push_back(std::move(families));

  Table per_day = NewTable("new_samples_per_day",
                           "New samples per UTC day (day of each sample's first download, or "
                           "of honeyvt's first sight of a sample without downloads)");
  // A sample is new on the UTC day of its first download ever (without downloads: the day
  // honeyvt first saw it); counted when that day's time lies in the window.
  const Filter& f = source.filter();
  std::map<std::int64_t, std::int64_t> days;  // UTC day number -> samples
  for (const ScopeSample& s : source.samples()) {
    if (s.first_ever <= 0 || (f.since && s.first_ever < *f.since) ||
        (f.until && s.first_ever >= *f.until)) {
      continue;
    }
    ++days[static_cast<std::int64_t>(std::floor(s.first_ever / 86400.0))];
  }
  for (const auto& [day, count] : days) {
    per_day.rows.push_back({FormatUtcDateTime(day * 86400).substr(0, 10), count});
  }
  doc.tables.push_back(std::move(per_day));

  // Where the samples came from: dionaea's downloads, else the honeyvt job that queued
  // them (watch folders, enqueue, other honeypots), else unknown (source.h).
  Table sources = NewTable("sources",
                           "Samples per source (dionaea's downloads, else the honeyvt job "
                           "that queued the sample)");
  {
    std::vector<std::int64_t> per_origin(source.origins().size(), 0);
    for (const ScopeSample& s : source.samples()) ++per_origin[s.origin];
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < per_origin.size(); ++i) {
      if (per_origin[i] > 0) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (per_origin[a] != per_origin[b]) return per_origin[a] > per_origin[b];
      return source.origins()[a] < source.origins()[b];
    });
    for (std::size_t i : order) sources.rows.push_back({source.origins()[i], per_origin[i]});
  }
  doc.tables.push_back(std::move(sources));
  return doc;
}

}  // namespace honeyvt::report
