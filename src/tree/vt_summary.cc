#include "tree/vt_summary.h"

#include <cstdio>
#include <unordered_set>

#include "tree/connection.h"

namespace honeyvt::tree {
namespace {

// Every (report, scan) pair of one md5, lowest report first.
constexpr const char* kScansSql =
    "SELECT v.virustotal, datetime(v.virustotal_timestamp,'unixepoch','localtime'), "
    "v.virustotal_permalink, s.virustotalscan_result, v.virustotal_timestamp "
    "FROM virustotals AS v JOIN virustotalscans AS s ON (s.virustotal = v.virustotal) "
    "WHERE v.virustotal_md5_hash = ?1 ORDER BY v.virustotal, s.rowid";

// Only the newest report that has scans.
constexpr const char* kLatestSql =
    "SELECT v.virustotal, datetime(v.virustotal_timestamp,'unixepoch','localtime'), "
    "v.virustotal_permalink, s.virustotalscan_result, v.virustotal_timestamp "
    "FROM virustotals AS v JOIN virustotalscans AS s ON (s.virustotal = v.virustotal) "
    "WHERE v.virustotal = (SELECT v2.virustotal FROM virustotals AS v2 "
    "  WHERE v2.virustotal_md5_hash = ?1 AND EXISTS (SELECT 1 FROM virustotalscans AS s2 "
    "  WHERE s2.virustotal = v2.virustotal) "
    "  ORDER BY v2.virustotal_timestamp DESC, v2.virustotal DESC LIMIT 1) "
    "ORDER BY s.rowid";

}  // namespace

std::string DetectionPercent(std::int64_t detected, std::int64_t scanners) {
  const double pct = static_cast<double>(detected) / static_cast<double>(scanners) * 100.0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", pct);
  return buf;
}

Result<VtLookup> VtLookup::Create(store::Database& db, bool latest_report) {
  ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare(latest_report ? kLatestSql : kScansSql));
  return VtLookup(std::move(stmt));
}

Status VtLookup::Compute(const Value& md5, VtSummary& out) {
  BindValue(stmt_, 1, md5);
  std::unordered_set<std::string> seen;
  while (true) {
    auto row = stmt_.Step();
    if (!row) {
      stmt_.Reset();
      return std::move(row).error();
    }
    if (!*row) break;
    if (!out.has_line) {
      out.has_line = true;
      out.timestamp = PyStr(Value::Read(stmt_, 1));
      out.permalink = Value::Read(stmt_, 2);
    }
    ++out.scanners;
    if (!stmt_.IsNull(3)) {
      ++out.detected;
      std::string name = PyStr(Value::Read(stmt_, 3));
      if (seen.insert(name).second) out.names.push_back(std::move(name));
    }
  }
  stmt_.Reset();
  return OkStatus();
}

Result<const VtSummary*> VtLookup::Get(const Value& md5) {
  std::string key(1, static_cast<char>('0' + static_cast<int>(md5.type)));
  key += md5.type == store::ColumnType::kInteger ? std::to_string(md5.integer)
         : md5.type == store::ColumnType::kFloat ? std::to_string(md5.real)
                                                 : md5.bytes;
  if (auto it = cache_.find(key); it != cache_.end()) return &it->second;
  if (cache_.size() >= kMaxCached) cache_.clear();
  VtSummary summary;
  RETURN_IF_ERROR(Compute(md5, summary));
  return &cache_.emplace(std::move(key), std::move(summary)).first->second;
}

}  // namespace honeyvt::tree
