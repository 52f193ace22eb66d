#pragma once
// Finding the rows of dionaea's SIP sub-tables by sip_command without an index or a copy.
//
// sip_addrs, sip_vias and the three sip_sdp_* tables have no index on sip_command in
// dionaea's schema, and honeyvt never writes to the logsql file. dionaea logs a SIP
// command's parts right after the command itself, so in each sub-table the rowid order
// is also sip_command order. SipRowidMap checks that with one pass over the table and
// keeps every kStride-th (sip_command, rowid) pair: a lookup of sip_command ids [lo, hi]
// then reads only the rowid range between two marks. A table where the order does not
// hold (or a sip_command that is neither NULL nor an INTEGER) gets no map, and the
// caller falls back to an indexed TEMP copy.
//
// The map describes the rows present when it was built. Rows appended later (dionaea
// keeps logging) are found for sip_command ids at or above the last mark, where new
// commands land.
//
// SharedSipMaps builds the maps once per run, on whichever connection asks first, and
// hands the same immutable maps to every thread's TreeSource. Memory: 16 bytes per
// kStride rows.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"
#include "tree/item_kinds.h"

namespace honeyvt::tree {

class SipRowidMap {
 public:
  static constexpr std::size_t kStride = 128;

  // Reads (rowid, sip_command) of `table` in rowid order. nullopt: the order does not
  // hold, so no map can answer for this table.
  static Result<std::optional<SipRowidMap>> Build(store::Database& db, const char* table);

  // Inclusive rowid bounds that contain every row whose sip_command is in [lo, hi].
  std::pair<std::int64_t, std::int64_t> Bounds(std::int64_t lo, std::int64_t hi) const;

  std::size_t marks() const { return marks_.size(); }

 private:
  std::vector<std::pair<std::int64_t, std::int64_t>> marks_;  // (sip_command, rowid)
};

struct SipMaps {
  std::array<std::optional<SipRowidMap>, kSipPartCount> parts;
};

class SharedSipMaps {
 public:
  // The maps, built on the first call (from any thread, with that thread's connection).
  // A failed build is returned to every caller.
  Result<const SipMaps*> Get(store::Database& db);

 private:
  std::mutex mu_;
  bool built_ = false;
  std::optional<Error> error_;
  SipMaps maps_;
};

}  // namespace honeyvt::tree
