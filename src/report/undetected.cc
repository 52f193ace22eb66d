// honeyvt report undetected: samples a vendor misses, with the DCERPC vulnerability that
// delivered them.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "report/id_index.h"
#include "report/reports.h"

namespace honeyvt::report {
namespace {

// Reports where the vendor gave a name (?2 = 1) or has any row (?2 = 0); ?1 = vendor.
// Covered by honeyvt_virustotalscans_scanner_idx.
constexpr const char* kVendorReports = R"SQL(
SELECT virustotal FROM virustotalscans
WHERE virustotalscan_scanner = ?1 AND (NOT ?2 OR NULLIF(virustotalscan_result, '') IS NOT NULL)
)SQL";

// Every DCERPC op with a vulnerability, by the uuid and opnum a request names.
constexpr const char* kOps = R"SQL(
SELECT sv.dcerpcservice_uuid, o.dcerpcserviceop_opnum, o.dcerpcserviceop_vuln
FROM dcerpcservices sv JOIN dcerpcserviceops o ON o.dcerpcservice = sv.dcerpcservice
WHERE o.dcerpcserviceop_vuln IS NOT NULL AND o.dcerpcserviceop_vuln <> ''
)SQL";

struct Missed {
  std::size_t sample;
  std::set<std::string> vulns;  // distinct, byte order (SQLite BINARY)
};

// Root connection -> vulnerabilities of the DCERPC requests made on it.
Result<std::unordered_map<std::int64_t, std::vector<const std::string*>>> VulnsByConnection(
    store::Database& db,
    std::map<std::pair<std::string, std::int64_t>, std::vector<std::string>>& ops) {
  {
    ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare(kOps));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      if (stmt.IsNull(0) || stmt.IsNull(1)) continue;
      ops[{stmt.Text(0), stmt.Int64(1)}].push_back(stmt.Text(2));
    }
  }
  std::unordered_map<std::int64_t, std::vector<const std::string*>> by_connection;
  if (ops.empty()) return by_connection;
  ASSIGN_OR_RETURN(store::Statement stmt,
                   db.Prepare("SELECT connection, dcerpcrequest_uuid, dcerpcrequest_opnum "
                              "FROM dcerpcrequests"));
  std::pair<std::string, std::int64_t> key;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (stmt.IsNull(0) || stmt.IsNull(1) || stmt.IsNull(2)) continue;
    key.first.assign(stmt.TextView(1));
    key.second = stmt.Int64(2);
    auto op = ops.find(key);
    if (op == ops.end()) continue;
    auto& list = by_connection[stmt.Int64(0)];
    for (const std::string& vuln : op->second) list.push_back(&vuln);
  }
  return by_connection;
}

}  // namespace

// Everything is joined in memory from the Source's scope and three sequential reads
// (the vendor's rows through its index, the ops, the requests): no TEMP table, and
// keyed sets, so repeated requests or downloads cannot multiply anything.
Result<Document> Undetected(Source& source, const UndetectedQuery& query) {
  RETURN_IF_ERROR(source.EnsureScope());
  store::Database& db = source.db();
  Document doc;
  {
    ASSIGN_OR_RETURN(store::Statement known,
                     db.Prepare("SELECT 1 FROM virustotalscans "
                                "WHERE virustotalscan_scanner = ?1 LIMIT 1"));
    known.Bind(1, query.vendor);
    ASSIGN_OR_RETURN(bool seen, known.Step());
    if (!seen) {
      doc.notes.push_back("vendor '" + query.vendor +
                          "' appears in no report (names are case-sensitive, e.g. "
                          "'Kaspersky'); see `honeyvt report signatures`");
    }
  }
  const std::vector<ScopeSample>& samples = source.samples();
  const std::vector<ScopeReport>& reports = source.reports();
  IdIndex position(reports.empty() ? -1 : reports.back().id,
                   static_cast<std::int64_t>(reports.size()));
  for (std::size_t i = 0; i < reports.size(); ++i) {
    position.Set(reports[i].id, static_cast<std::int64_t>(i));
  }
  std::vector<char> named(reports.size(), 0);
  std::vector<char> scanned(reports.size(), 0);
  ASSIGN_OR_RETURN(store::Statement vendor_rows, db.Prepare(kVendorReports));
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<char>& mark = pass == 0 ? named : scanned;
    if (pass == 1 && query.include_absent) break;
    vendor_rows.Reset();
    vendor_rows.Bind(1, query.vendor).Bind(2, pass == 0 ? 1 : 0);
    while (true) {
      ASSIGN_OR_RETURN(bool row, vendor_rows.Step());
      if (!row) break;
      const std::int64_t at = vendor_rows.IsNull(0) ? -1 : position.Find(vendor_rows.Int64(0));
      if (at >= 0) mark[static_cast<std::size_t>(at)] = 1;
    }
  }
  // Samples whose latest report has no name from the vendor (and, unless include_absent,
  // has a row of it).
  std::vector<Missed> missed;
  std::vector<std::int64_t> missed_at(samples.size(), -1);
  std::int64_t with_report = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].latest < 0) continue;
    ++with_report;
    const auto at = static_cast<std::size_t>(position.Find(samples[i].latest));
    if (named[at] || (!query.include_absent && !scanned[at])) continue;
    missed_at[i] = static_cast<std::int64_t>(missed.size());
    missed.push_back({i, {}});
  }
  if (source.has_dcerpc()) {
    // Each download in scope -> the attack's root connection -> its DCERPC requests ->
    // the op (service by uuid, op by service and opnum) -> its vuln.
    std::map<std::pair<std::string, std::int64_t>, std::vector<std::string>> ops;
    ASSIGN_OR_RETURN(auto by_connection, VulnsByConnection(db, ops));
    for (const ScopeDownload& d : source.downloads()) {
      if (missed_at[d.sample] < 0 || d.root < 0) continue;
      auto it = by_connection.find(d.root);
      if (it == by_connection.end()) continue;
      Missed& m = missed[static_cast<std::size_t>(missed_at[d.sample])];
      for (const std::string* vuln : it->second) m.vulns.insert(*vuln);
    }
  } else {
    doc.notes.push_back("no DCERPC tables in this database: no vulnerabilities listed");
  }
  const auto total_missed = static_cast<std::int64_t>(missed.size());
  if (query.vuln_only) {
    std::erase_if(missed, [](const Missed& m) { return m.vulns.empty(); });
  }
  std::sort(missed.begin(), missed.end(), [&](const Missed& a, const Missed& b) {
    if (a.vulns.size() != b.vulns.size()) return a.vulns.size() > b.vulns.size();
    const ScopeSample& sa = samples[a.sample];
    const ScopeSample& sb = samples[b.sample];
    if (sa.downloads != sb.downloads) return sa.downloads > sb.downloads;
    return sa.md5 < sb.md5;
  });
  Table& table = doc.tables.emplace_back();
  table.name = "undetected";
  table.title = "Samples not detected by '" + query.vendor + "': " + std::to_string(total_missed) +
                " of " + std::to_string(with_report) + " samples with a report" +
                (query.vuln_only ? " (listed: delivered via a vuln)" : "");
  table.columns = {"md5", "downloads", "vulns", "vulnerabilities"};
  for (const Missed& m : missed) {
    if (source.filter().limit > 0 &&
        static_cast<std::int64_t>(table.rows.size()) >= source.filter().limit) {
      break;
    }
    std::string list;
    for (const std::string& vuln : m.vulns) list += (list.empty() ? "" : ", ") + vuln;
    const ScopeSample& s = samples[m.sample];
    table.rows.push_back({s.md5, s.downloads, static_cast<std::int64_t>(m.vulns.size()), list});
  }
  return doc;
}

}  // namespace honeyvt::report
