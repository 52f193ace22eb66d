#include "report/select.h"

#include <algorithm>
#include <optional>
#include <set>

#include "core/strings.h"
#include "report/verdict_cache.h"
#include "report/verdicts.h"

namespace honeyvt::report {
namespace {

// Walks the distinct names through the index: each step seeks the next greater name.
constexpr const char* kMatchingNames = R"SQL(
WITH RECURSIVE names(n) AS (
  SELECT (SELECT virustotalscan_result FROM virustotalscans
          WHERE virustotalscan_result IS NOT NULL ORDER BY virustotalscan_result LIMIT 1)
  UNION ALL
  SELECT (SELECT virustotalscan_result FROM virustotalscans
          WHERE virustotalscan_result > names.n ORDER BY virustotalscan_result LIMIT 1)
  FROM names WHERE names.n IS NOT NULL)
SELECT n FROM names WHERE n IS NOT NULL AND n LIKE ?1 ESCAPE '\'
)SQL";

}  // namespace

std::string LikeContains(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

bool HasIndexOn(store::Database& db, std::string_view table,
                std::initializer_list<std::string_view> columns) {
  auto indexes = db.Prepare("SELECT name FROM pragma_index_list(?1) WHERE partial = 0");
  auto info = db.Prepare("SELECT seqno, name FROM pragma_index_info(?1)");
  if (!indexes || !info) return false;
  indexes->Bind(1, table);
  while (true) {
    auto row = indexes->Step();
    if (!row || !*row) return false;
    info->Reset();
    info->Bind(1, indexes->Text(0));
    std::size_t matched = 0;
    while (true) {
      auto col = info->Step();
      if (!col || !*col) break;
      const auto seq = static_cast<std::size_t>(info->Int64(0));
      if (seq < columns.size() && info->TextView(1) == *(columns.begin() + seq)) ++matched;
    }
    if (matched == columns.size()) return true;
  }
}

Result<HitReports> SelectFamily(Source& source, const FamilyQuery& query) {
  RETURN_IF_ERROR(source.EnsureScope(/*connection_times=*/false));
  store::Database& db = source.db();
  const std::vector<ScopeSample>& samples = source.samples();
  const std::vector<ScopeReport>& reports = source.reports();
  std::vector<char> hit(samples.size(), 0);
  std::string why;
  ASSIGN_OR_RETURN(std::optional<VerdictCache> cache,
                   LoadVerdictCache(db, &why, /*with_rows=*/true));
  if (!cache && db.TableExists("honeyvt_verdicts")) source.AddNote(why);
  if (query.by_label) {
    ASSIGN_OR_RETURN(std::vector<Verdict> verdicts,
                     LatestVerdicts(source, cache ? &*cache : nullptr));
    const std::string wanted = ToLower(query.pattern);
    std::vector<std::string_view> md5s;
    for (const Verdict& v : verdicts) {
      if (ToLower(v.label.family) == wanted) md5s.push_back(v.md5);
    }
    // Verdicts and samples are both in md5 order: one merge.
    std::size_t j = 0;
    for (std::string_view md5 : md5s) {
      while (j < samples.size() && samples[j].md5 < md5) ++j;
      if (j < samples.size() && samples[j].md5 == md5) hit[j] = 1;
    }
  } else {
    // Report id -> sample position for the reports in scope.
    IdIndex report_sample(reports.empty() ? -1 : reports.back().id,
                          static_cast<std::int64_t>(reports.size()));
    for (const ScopeReport& r : reports) {
      report_sample.Set(r.id, static_cast<std::int64_t>(r.sample));
    }
    auto mark = [&](std::int64_t vt) {
      const std::int64_t i = report_sample.Find(vt);
      if (i >= 0) hit[static_cast<std::size_t>(i)] = 1;
    };
    const std::string like = LikeContains(query.pattern);
    if (cache) {
      // Names containing the pattern (ASCII case-insensitive, like SQLite's LIKE), then
      // every report in scope holding one of them, from the cached rows.
      const std::string needle = ToLower(query.pattern);
      std::vector<char> wanted(cache->names.size(), 0);
      for (std::size_t id = 1; id < cache->names.size(); ++id) {
        wanted[id] = ToLower(cache->names[id]).find(needle) != std::string::npos ? 1 : 0;
      }
      for (const ScopeReport& r : reports) {
        const std::int64_t at = cache->index.Find(r.id);
        if (at < 0) continue;  // deleted after the scope was read
        for (const CachedRow& row : cache->rows[static_cast<std::size_t>(at)]) {
          if (wanted[row.name]) {
            hit[r.sample] = 1;
            break;
          }
        }
      }
    } else if (HasIndexOn(db, "virustotalscans", {"virustotalscan_result"})) {
      // The matching distinct names by walking the index (one seek per distinct name),
      // then their reports from the same index.
      std::vector<std::string> names;
      {
        ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare(kMatchingNames));
        stmt.Bind(1, like);
        while (true) {
          ASSIGN_OR_RETURN(bool row, stmt.Step());
          if (!row) break;
          names.push_back(stmt.Text(0));
        }
      }
      ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare("SELECT virustotal FROM virustotalscans "
                                                         "WHERE virustotalscan_result = ?1"));
      for (const std::string& name : names) {
        stmt.Reset();
        stmt.Bind(1, name);
        while (true) {
          ASSIGN_OR_RETURN(bool row, stmt.Step());
          if (!row) break;
          mark(stmt.Int64(0));
        }
      }
    } else {
      ASSIGN_OR_RETURN(store::Statement stmt,
                       db.Prepare("SELECT virustotal FROM virustotalscans "
                                  "WHERE virustotalscan_result LIKE ?1 ESCAPE '\\'"));
      stmt.Bind(1, like);
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        mark(stmt.Int64(0));
      }
    }
  }
  HitReports hits;
  std::vector<std::int64_t> number(samples.size(), -1);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (hit[i]) number[i] = hits.samples++;
  }
  for (const ScopeReport& r : reports) {  // ascending ids
    if (number[r.sample] >= 0) hits.ids.push_back(r.id);
  }
  hits.reports = static_cast<std::int64_t>(hits.ids.size());
  hits.index = IdIndex(hits.ids.empty() ? -1 : hits.ids.back(), hits.reports);
  for (const ScopeReport& r : reports) {
    if (number[r.sample] >= 0) hits.index.Set(r.id, number[r.sample]);
  }
  hits.scope_reports = static_cast<std::int64_t>(reports.size());
  if (cache && std::all_of(hits.ids.begin(), hits.ids.end(),
                           [&](std::int64_t id) { return cache->index.Find(id) >= 0; })) {
    hits.cache = std::move(cache);
  }
  return hits;
}

}  // namespace honeyvt::report
