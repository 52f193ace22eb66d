// honeyvt report history: how one sample's detection changed from report to report.
#include <algorithm>
#include <set>

#include "core/strings.h"
#include "core/time_spec.h"
#include "domain/hash.h"
#include "report/family.h"
#include "report/reports.h"

namespace honeyvt::report {
namespace {

struct Snapshot {
  std::int64_t id = 0;
  std::int64_t date = 0;  // Unix seconds
  std::int64_t positives = 0;
  std::int64_t total = 0;
  std::set<std::string> detected;  // engines naming the file
  std::vector<std::string> names;
};

bool InWindow(const Filter& f, std::int64_t date) {
  const auto d = static_cast<double>(date);
  return (!f.since || d >= *f.since) && (!f.until || d < *f.until);
}

// honeyvt's own history: VirusTotal's positives/total and every engine's verdict.
Result<std::vector<Snapshot>> FromHoneyvt(store::Database& db, const std::string& md5) {
  std::vector<Snapshot> out;
  ASSIGN_OR_RETURN(store::Statement reports,
                   db.Prepare("SELECT report, analysis_date, positives, total FROM "
                              "honeyvt_reports WHERE md5 = ?1 ORDER BY analysis_date, report"));
  reports.Bind(1, md5);
  while (true) {
    ASSIGN_OR_RETURN(bool row, reports.Step());
    if (!row) break;
    out.push_back({reports.Int64(0), reports.Int64(1), reports.Int64(2), reports.Int64(3), {}, {}});
  }
  ASSIGN_OR_RETURN(store::Statement engines,
                   db.Prepare("SELECT engine, result FROM honeyvt_engine_results WHERE report = ?1 "
                              "AND (category IN ('malicious', 'suspicious') "
                              "OR NULLIF(result, '') IS NOT NULL)"));
  for (Snapshot& s : out) {
    engines.Reset();
    engines.Bind(1, s.id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, engines.Step());
      if (!row) break;
      s.detected.insert(engines.Text(0));
      if (!engines.IsNull(1) && !engines.TextView(1).empty()) s.names.push_back(engines.Text(1));
    }
  }
  return out;
}

// dionaea's virustotals rows (usually one per md5; older databases may hold several).
Result<std::vector<Snapshot>> FromDionaea(store::Database& db, const std::string& md5) {
  std::vector<Snapshot> out;
  ASSIGN_OR_RETURN(store::Statement reports,
                   db.Prepare("SELECT virustotal, virustotal_timestamp FROM virustotals "
                              "WHERE virustotal_md5_hash = ?1 "
                              "ORDER BY virustotal_timestamp, virustotal"));
  reports.Bind(1, md5);
  while (true) {
    ASSIGN_OR_RETURN(bool row, reports.Step());
    if (!row) break;
    out.push_back({reports.Int64(0), reports.Int64(1), 0, 0, {}, {}});
  }
  ASSIGN_OR_RETURN(store::Statement scans,
                   db.Prepare("SELECT virustotalscan_scanner, virustotalscan_result "
                              "FROM virustotalscans WHERE virustotal = ?1"));
  for (Snapshot& s : out) {
    scans.Reset();
    scans.Bind(1, s.id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, scans.Step());
      if (!row) break;
      ++s.total;
      if (scans.IsNull(1) || scans.TextView(1).empty()) continue;
      ++s.positives;
      s.detected.insert(scans.Text(0));
      s.names.push_back(scans.Text(1));
    }
  }
  return out;
}

std::string Difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::string out;
  for (const std::string& x : a) {
    if (b.count(x) != 0) continue;
    out += out.empty() ? "" : ", ";
    out += x;
  }
  return out;
}

}  // namespace

Result<Document> History(Source& source, const std::string& md5_text) {
  ASSIGN_OR_RETURN(domain::Hash hash, domain::Hash::Parse(md5_text, domain::HashKind::kMd5));
  const std::string& md5 = hash.hex();
  Document doc;
  std::vector<Snapshot> snapshots;
  std::string origin = "honeyvt_reports";
  if (source.has_history()) {
    ASSIGN_OR_RETURN(snapshots, FromHoneyvt(source.db(), md5));
  }
  if (snapshots.empty()) {
    origin = "virustotals";
    doc.notes.push_back(std::string("honeyvt recorded no report history for ") + md5 +
                        (source.has_history() ? "" : " (no honeyvt tables in this database)") +
                        "; showing dionaea's virustotals rows");
    ASSIGN_OR_RETURN(snapshots, FromDionaea(source.db(), md5));
    if (snapshots.empty()) doc.notes.push_back("no VirusTotal report stored for " + md5);
  }
  Table& table = doc.tables.emplace_back();
  table.name = "history";
  table.title = "Detection history of " + md5 + " (from " + origin + ")";
  table.columns = {"analysis_date", "positives", "total", "family", "gained", "lost", "source"};
  FamilyLabeler labeler;
  const std::set<std::string> none;
  const std::set<std::string>* previous = &none;
  for (const Snapshot& s : snapshots) {
    if (!InWindow(source.filter(), s.date)) continue;
    table.rows.push_back({FormatUtcDateTime(s.date), s.positives, s.total,
                          labeler.Label(s.names).family, Difference(s.detected, *previous),
                          Difference(*previous, s.detected), origin});
    previous = &s.detected;
    if (source.filter().limit > 0 &&
        static_cast<std::int64_t>(table.rows.size()) >= source.filter().limit) {
      break;
    }
  }
  return doc;
}

}  // namespace honeyvt::report
