#pragma once
// honeyvt_verdicts: a cache of every virustotals row's tally (tally.h: positives, total,
// family label) and scan rows, so families, summary, aliases and signatures need not
// read the millions of virustotalscans rows on every run.
//
// Table (honeyvt's own; created and filled only by RebuildVerdictCache, i.e. by
// `honeyvt report add-indexes`; reports only read it):
//   honeyvt_verdicts(virustotal INTEGER PRIMARY KEY, md5, ts, positives, total, family,
//                    votes, rows)   md5/ts = the virustotals row's md5 and timestamp
//       when cached;
//       rows = the report's scan rows as varint pairs (vendor id, name id; 0 = NULL), so
//       aliases and signatures read one blob per report instead of ~70 scan rows.
//   honeyvt_vendors(id PRIMARY KEY, name), honeyvt_names(id PRIMARY KEY, name)  the
//       dictionaries (every scanner, every distinct non-NULL result). Valid exactly when
//       the verdict cache is: rows of re-tallied reports are read from the scan table.
//   honeyvt_meta keys: verdict_cache_version (kVerdictCacheVersion: bumped whenever the
//   labelling rules or this layout change), verdict_cache_scan_max (greatest
//   virustotalscans rowid), verdict_cache_top_owner (the virustotal of that row),
//   verdict_cache_orphans (scan rows of no virustotals row).
//
// Staleness (LoadVerdictCache): a cached row counts only while a virustotals row with
// the same id, md5 and timestamp exists. Reports that are new or changed (dionaea's own
// module, honeyvt's writer replacing a refreshed report) are tallied from their scan rows
// on the fly. The cache is then trusted only if the scan table agrees with it exactly:
// every scan row with a rowid above verdict_cache_scan_max belongs to a re-tallied
// report, the row at verdict_cache_scan_max still belongs to its owner (or both the old
// and the new owner were re-tallied: SQLite reuses the greatest rowid once it is
// deleted), and count(virustotalscans) = cached totals of valid rows + re-tallied totals +
// orphans. Otherwise (or when more than a tenth of the reports changed, or the version
// differs) the cache is not used and the caller reads the scan rows, so a stale cache
// costs time, never a wrong count. Not detected (neither dionaea nor honeyvt ever does
// this): an UPDATE of a scan row in place, or hand edits that move rowids below the top
// one from one cached report to another while keeping the count.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "report/id_index.h"
#include "report/tally.h"
#include "store/sqlite.h"

namespace honeyvt::report {

inline constexpr int kVerdictCacheVersion = 2;

// One scan row: indexes into VerdictCache::vendors and ::names (name 0 = NULL result).
struct CachedRow {
  std::uint32_t vendor = 0;
  std::uint32_t name = 0;
};

struct VerdictCache {
  IdIndex index{-1, 0};              // virustotal id -> position in tallies
  std::vector<ReportTally> tallies;  // every current virustotals row
  std::int64_t retallied = 0;        // reports tallied from scan rows (new or changed)
  std::vector<std::int64_t> retallied_ids;
  // Only when loaded with_rows: every report's scan rows (parallel to tallies) and the
  // dictionaries they index (names[0] = "" stands for NULL; '' itself is its own name).
  bool has_rows = false;
  std::vector<std::vector<CachedRow>> rows;
  std::vector<std::string> vendors;
  std::vector<std::string> names;
};

// Rebuilds the cache (both tables) in one IMMEDIATE transaction (`db` opened
// read-write): tallies every virustotals row with one pass over the scan rows and
// stores its rows. Returns the number of reports cached.
Result<std::int64_t> RebuildVerdictCache(store::Database& db);

// The cache, completed with the reports it misses, or nullopt with the reason in *why
// when there is none, it is from another version or it is stale (see above).
// `with_rows` also loads every report's scan rows (aliases, signatures).
Result<std::optional<VerdictCache>> LoadVerdictCache(store::Database& db, std::string* why,
                                                     bool with_rows = false);

}  // namespace honeyvt::report
