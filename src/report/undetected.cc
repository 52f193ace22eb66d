// honeyvt report undetected: samples a vendor misses, with the DCERPC vulnerability that
// delivered them.
#include "report/reports.h"

namespace honeyvt::report {
namespace {

constexpr const char* kCreate = R"SQL(
CREATE TEMP TABLE IF NOT EXISTS hv_missed (md5 TEXT PRIMARY KEY, virustotal INTEGER)
  WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS hv_vulns (md5 TEXT, vuln TEXT, PRIMARY KEY (md5, vuln))
  WITHOUT ROWID;
DELETE FROM temp.hv_missed;
DELETE FROM temp.hv_vulns;
)SQL";

// Latest reports where the vendor gave no name; the vendor must have scanned the file
// unless ?2 (include_absent) is set. ?1 = vendor.
constexpr const char* kMissed = R"SQL(
INSERT OR IGNORE INTO temp.hv_missed (md5, virustotal)
SELECT r.md5, r.virustotal FROM temp.hv_reports r
WHERE r.latest = 1
  AND r.virustotal NOT IN (
    SELECT virustotal FROM virustotalscans
    WHERE virustotalscan_scanner = ?1 AND NULLIF(virustotalscan_result, '') IS NOT NULL)
  AND (?2 OR r.virustotal IN (
    SELECT virustotal FROM virustotalscans WHERE virustotalscan_scanner = ?1))
)SQL";

// Each download in scope -> its connection -> the attack's root connection -> the DCERPC
// requests made there -> the op (service by uuid, op by service and opnum) -> its vuln.
// DISTINCT (md5, vuln) pairs go into a keyed table, so repeated requests or downloads
// cannot multiply anything. ?1 = since, ?2 = until.
constexpr const char* kVulns = R"SQL(
INSERT OR IGNORE INTO temp.hv_vulns (md5, vuln)
SELECT d.download_md5_hash, o.dcerpcserviceop_vuln
FROM temp.hv_missed m
  CROSS JOIN downloads d ON d.download_md5_hash = m.md5
  CROSS JOIN connections c ON c.connection = d.connection
  CROSS JOIN dcerpcrequests q ON q.connection = COALESCE(c.connection_root, c.connection)
  CROSS JOIN dcerpcservices sv ON sv.dcerpcservice_uuid = q.dcerpcrequest_uuid
  CROSS JOIN dcerpcserviceops o ON o.dcerpcservice = sv.dcerpcservice
                               AND o.dcerpcserviceop_opnum = q.dcerpcrequest_opnum
WHERE o.dcerpcserviceop_vuln IS NOT NULL AND o.dcerpcserviceop_vuln <> ''
  AND (?1 IS NULL OR c.connection_timestamp >= ?1)
  AND (?2 IS NULL OR c.connection_timestamp < ?2)
)SQL";

// ?1 = vuln_only, ?2 = limit.
constexpr const char* kRows = R"SQL(
SELECT m.md5, s.downloads, m.virustotal,
       (SELECT count(*) FROM temp.hv_vulns v WHERE v.md5 = m.md5) AS nv,
       (SELECT group_concat(vuln, ', ') FROM
          (SELECT vuln FROM temp.hv_vulns v WHERE v.md5 = m.md5 ORDER BY vuln))
FROM temp.hv_missed m JOIN temp.hv_samples s ON s.md5 = m.md5
WHERE NOT ?1 OR nv > 0
ORDER BY nv DESC, s.downloads DESC, m.md5
LIMIT ?2
)SQL";

Result<std::int64_t> Count(store::Database& db, const char* sql) {
  ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int64(0) : 0;
}

}  // namespace

Result<Document> Undetected(Source& source, const UndetectedQuery& query) {
  RETURN_IF_ERROR(source.EnsureScopeTables());
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
  RETURN_IF_ERROR(db.Exec(kCreate));
  ASSIGN_OR_RETURN(store::Statement missed, db.Prepare(kMissed));
  missed.Bind(1, query.vendor).Bind(2, query.include_absent ? 1 : 0);
  RETURN_IF_ERROR(missed.Run());
  if (source.has_dcerpc()) {
    ASSIGN_OR_RETURN(store::Statement vulns, db.Prepare(kVulns));
    vulns.Bind(1, source.filter().since).Bind(2, source.filter().until);
    RETURN_IF_ERROR(vulns.Run());
  } else {
    doc.notes.push_back("no DCERPC tables in this database: no vulnerabilities listed");
  }
  ASSIGN_OR_RETURN(std::int64_t total_missed, Count(db, "SELECT count(*) FROM temp.hv_missed"));
  ASSIGN_OR_RETURN(std::int64_t with_report,
                   Count(db, "SELECT count(*) FROM temp.hv_reports WHERE latest = 1"));
  Table& table = doc.tables.emplace_back();
  table.name = "undetected";
  table.title = "Samples not detected by '" + query.vendor + "': " + std::to_string(total_missed) +
                " of " + std::to_string(with_report) + " samples with a report" +
                (query.vuln_only ? " (listed: delivered via a vuln)" : "");
  table.columns = {"md5", "downloads", "vulns", "vulnerabilities"};
  ASSIGN_OR_RETURN(store::Statement rows, db.Prepare(kRows));
  rows.Bind(1, query.vuln_only ? 1 : 0).Bind(2, source.SqlLimit());
  while (true) {
    ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    Cell vulns = rows.IsNull(4) ? Cell{std::string()} : Cell{rows.Text(4)};
    table.rows.push_back({rows.Text(0), rows.Int64(1), rows.Int64(3), vulns});
  }
  return doc;
}

}  // namespace honeyvt::report
