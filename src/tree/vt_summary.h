#pragma once
// The VirusTotal verdict printed under each download (TREE-SPEC §5.5).
//
// Default (compatible): counts are summed over every `virustotals` row of the md5;
// timestamp and permalink come from the lowest virustotal id that has scans; names are
// the distinct non-NULL results in (virustotal id, scan rowid) order. With
// `latest_report`, only the newest report (highest virustotal_timestamp, then highest
// id, among reports that have scans) is used.
//
// Results are cached per md5 (samples repeat across many downloads); the cache is
// bounded and simply cleared when full.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"
#include "tree/value.h"

namespace honeyvt::tree {

struct VtSummary {
  bool has_line = false;  // at least one scan row
  std::string timestamp;  // datetime(...,'localtime') text
  Value permalink;
  std::int64_t detected = 0;
  std::int64_t scanners = 0;
  std::vector<std::string> names;
};

// Python '{:.0f}'.format(detected / scanners * 100): ties to even on the exact double.
std::string DetectionPercent(std::int64_t detected, std::int64_t scanners);

class VtLookup {
 public:
  static constexpr std::size_t kMaxCached = 4096;
  static Result<VtLookup> Create(store::Database& db, bool latest_report);
  Result<const VtSummary*> Get(const Value& md5);

 private:
  // The statement (all reports, or the latest only) is the whole difference.
  explicit VtLookup(store::Statement stmt) : stmt_(std::move(stmt)) {}
  Status Compute(const Value& md5, VtSummary& out);
  store::Statement stmt_;
  std::unordered_map<std::string, VtSummary> cache_;  // key: type tag + bytes
};

}  // namespace honeyvt::tree
