#pragma once
// Takes over the queue of dionaea's own VirusTotal handler (vtcache.sqlite, table
// `backlogfiles`, DIONAEA-FACTS §6), which has been stuck since dionaea 0.11.0 and leaves
// rows in in-flight states (`new-`, `submit-`, `comment-`, `query-`) forever.
//
// The file is opened read-only and never modified. Every row starts with a report lookup
// in honeyvt; what honeyvt may do afterwards depends on how far dionaea got:
//
//   status            upload if VT lacks it   comment   scan_id kept
//   new, new-         yes                     yes       -
//   submit, submit-   yes                     yes       -  (the upload may not have arrived)
//   comment           no  (file is on VT)     yes       yes
//   comment-          no                      no  (may exist already)   yes
//   query, query-     no                      no        yes
//
// Rows are merged by md5 (the table has no UNIQUE): the most restrictive intent wins and
// the newest valid scan id is kept. md5s that already have a `virustotals` row in logsql
// are skipped. Rows whose md5 is not hex or whose status is none of the above are counted
// as invalid. The sample file is `<binaries>/<md5>` when that is a regular file inside the
// binaries directory; the row's own `path` column is never used to build a path.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/sample_sink.h"
#include "store/sqlite.h"

namespace honeyvt::ingest {

// The intent for one vtcache status; nullopt for an unknown status.
std::optional<SampleIntent> IntentForVtcacheStatus(std::string_view status);
// True for a v1/v2 scan id "<sha256 hex>-<epoch digits>".
bool IsUsefulScanId(std::string_view scan_id);

struct VtcacheImportSummary {
  std::map<std::string, std::int64_t> rows_by_status;  // original status -> rows
  std::int64_t rows = 0;
  std::int64_t imported = 0;          // distinct md5s offered
  std::int64_t duplicates = 0;        // rows merged into an earlier row of the same md5
  std::int64_t already_reported = 0;  // distinct md5s skipped: logsql has a virustotals row
  std::int64_t invalid = 0;           // rows with a non-hex md5 or an unknown status
  std::int64_t with_file = 0, hash_only = 0;
  std::int64_t no_upload = 0, no_comment = 0, scan_ids_kept = 0;
  OfferCounts offers;
};

// `logsql` may be null (no already-reported check).
Result<VtcacheImportSummary> ImportVtcache(const std::filesystem::path& vtcache,
                                           store::Database* logsql,
                                           const std::filesystem::path& binaries, SampleSink& sink);

}  // namespace honeyvt::ingest
