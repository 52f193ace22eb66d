#include "report/source.h"

namespace honeyvt::report {
namespace {

constexpr const char* kCreateScope = R"SQL(
PRAGMA temp_store = MEMORY;
CREATE TEMP TABLE hv_samples (
  md5 TEXT PRIMARY KEY, downloads INTEGER NOT NULL, first_seen REAL) WITHOUT ROWID;
CREATE TEMP TABLE hv_reports (
  virustotal INTEGER PRIMARY KEY, md5 TEXT NOT NULL, ts INTEGER, latest INTEGER NOT NULL);
CREATE INDEX temp.hv_reports_md5_idx ON hv_reports (md5, ts, virustotal);
)SQL";

// ?1 = since or NULL, ?2 = until or NULL. Downloads whose connection row is missing have
// no time: they count only when no window is given.
constexpr const char* kFillSamples = R"SQL(
INSERT INTO temp.hv_samples (md5, downloads, first_seen)
SELECT d.download_md5_hash, count(*), min(c.connection_timestamp)
FROM downloads d LEFT JOIN connections c ON c.connection = d.connection
WHERE d.download_md5_hash IS NOT NULL AND d.download_md5_hash <> ''
  AND (?1 IS NULL OR c.connection_timestamp >= ?1)
  AND (?2 IS NULL OR c.connection_timestamp < ?2)
GROUP BY d.download_md5_hash
)SQL";

constexpr const char* kFillReports = R"SQL(
INSERT INTO temp.hv_reports (virustotal, md5, ts, latest)
SELECT v.virustotal, v.virustotal_md5_hash, v.virustotal_timestamp, 0
FROM temp.hv_samples s JOIN virustotals v ON v.virustotal_md5_hash = s.md5
)SQL";

constexpr const char* kMarkLatest = R"SQL(
UPDATE temp.hv_reports SET latest = 1 WHERE virustotal IN (
  SELECT (SELECT r.virustotal FROM temp.hv_reports r WHERE r.md5 = s.md5
          ORDER BY r.ts DESC, r.virustotal DESC LIMIT 1)
  FROM temp.hv_samples s)
)SQL";

}  // namespace

Result<Source> Source::Open(const std::filesystem::path& path, const Filter& filter) {
  ASSIGN_OR_RETURN(store::Logsql logsql, store::Logsql::Open(path, store::OpenMode::kReadOnly));
  Source source(std::move(logsql), filter);
  source.has_dcerpc_ = source.db().TableExists("dcerpcrequests") &&
                       source.db().TableExists("dcerpcservices") &&
                       source.db().TableExists("dcerpcserviceops");
  RETURN_IF_ERROR(source.BuildScope());
  return source;
}

Status Source::BuildScope() {
  RETURN_IF_ERROR(db().Exec(kCreateScope));
  ASSIGN_OR_RETURN(store::Statement samples, db().Prepare(kFillSamples));
  samples.Bind(1, filter_.since).Bind(2, filter_.until);
  RETURN_IF_ERROR(samples.Run());
  ASSIGN_OR_RETURN(store::Statement reports, db().Prepare(kFillReports));
  RETURN_IF_ERROR(reports.Run());
  ASSIGN_OR_RETURN(store::Statement latest, db().Prepare(kMarkLatest));
  return latest.Run();
}

}  // namespace honeyvt::report
