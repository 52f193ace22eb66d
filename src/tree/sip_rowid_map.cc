#include "tree/sip_rowid_map.h"

#include <algorithm>
#include <limits>
#include <string>

namespace honeyvt::tree {

Result<std::optional<SipRowidMap>> SipRowidMap::Build(store::Database& db, const char* table) {
  // `table` is a constant from item_kinds.cc, never user input.
  ASSIGN_OR_RETURN(
      store::Statement stmt,
      db.Prepare(std::string("SELECT rowid, sip_command FROM main.") + table + " ORDER BY rowid"));
  SipRowidMap map;
  std::optional<std::int64_t> last;
  std::size_t seen = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    const store::ColumnType type = stmt.Type(1);
    if (type == store::ColumnType::kNull) continue;  // matches no sip_command
    if (type != store::ColumnType::kInteger) return std::optional<SipRowidMap>();
    const std::int64_t command = stmt.Int64(1);
    if (last && command < *last) return std::optional<SipRowidMap>();
    last = command;
    if (seen++ % kStride == 0) map.marks_.emplace_back(command, stmt.Int64(0));
  }
  return std::optional<SipRowidMap>(std::move(map));
}

std::pair<std::int64_t, std::int64_t> SipRowidMap::Bounds(std::int64_t lo, std::int64_t hi) const {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  // Rows before a mark have a sip_command no larger than the mark's, rows after it no
  // smaller. So matches start after the last mark below lo, and end before the first
  // mark above hi (or run to the end of the table, which may have grown since).
  auto below = std::lower_bound(marks_.begin(), marks_.end(), lo,
                                [](const auto& m, std::int64_t v) { return m.first < v; });
  const std::int64_t first = below == marks_.begin() ? kMin : std::prev(below)->second + 1;
  auto above = std::upper_bound(marks_.begin(), marks_.end(), hi,
                                [](std::int64_t v, const auto& m) { return v < m.first; });
  const std::int64_t last = above == marks_.end() ? kMax : above->second - 1;
  return {first, last};
}

Result<const SipMaps*> SharedSipMaps::Get(store::Database& db) {
  std::lock_guard lock(mu_);
  if (!built_) {
    built_ = true;
    for (std::size_t i = 0; i < kSipPartCount; ++i) {
      const SipPartSpec& spec = SpecOf(static_cast<SipPart>(i));
      if (!db.TableExists(spec.table)) continue;
      auto map = SipRowidMap::Build(db, spec.table);
      if (!map) {
        error_ = map.error();
        break;
      }
      maps_.parts[i] = std::move(*map);
    }
  }
  if (error_) return Unexpected(*error_);
  return &maps_;
}

}  // namespace honeyvt::tree
