#pragma once
// TreeSource reads everything the tree prints from one read-only logsql connection.
//
// Speed without unbounded memory: the walker processes roots in pages of ascending id.
// For a dense page, LoadWindow(lo, hi) range-scans each item table's `connection` index
// and the `connection_parent` index once for the whole id range, so most connections
// cost no query of their own. The same is done one level down: the window's mysql
// commands and SIP commands span an id range, and their arguments and SIP parts are read
// with one range scan each. Anything outside the window (children far from their root,
// sparse filtered roots) falls back to indexed point queries. A window never holds more
// than kMaxWindowRows rows per table; a table that would exceed it is read with point
// queries for that page instead. Every statement is reset as soon as its rows are
// copied, so no SQLite lock is held while output is written (dionaea keeps logging).
//
// SIP sub-tables have no index on sip_command in dionaea's schema, so a plain lookup
// scans the table. Once a run needs more than kDirectSipLookups SIP commands (looked up
// one by one, or found in one window), it asks SharedSipMaps for rowid maps of the five
// tables (sip_rowid_map.h), built once per run and shared by every TreeSource, and reads
// parts by rowid range. A table whose rowid order is not sip_command order is copied
// instead into an indexed TEMP table of this connection (the temp database lives outside
// the logsql file, which is never written). A run printing a few SIP commands (-c, -r)
// pays for neither.
//
// Not thread-safe. Returned rows stay valid until the next call for the same kind (or
// the next LoadWindow); a returned Connection until the next ConnectionById/LoadWindow.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"
#include "tree/connection.h"
#include "tree/item_kinds.h"
#include "tree/keyed_rows.h"
#include "tree/rows.h"
#include "tree/sip_rowid_map.h"
#include "tree/value.h"

namespace honeyvt::tree {

// The rows of `rows` without repeats (first occurrence kept, order preserved), as
// SELECT DISTINCT over the same columns gives them.
std::vector<Row> DistinctRows(const RowList& rows);

class TreeSource {
 public:
  static constexpr std::size_t kMaxWindowRows = 20000;
  static constexpr std::size_t kDirectSipLookups = 8;

  // `sip_maps` may be shared by the sources of one run (one per thread); null: own maps.
  static Result<TreeSource> Create(store::Database& db,
                                   std::shared_ptr<SharedSipMaps> sip_maps = nullptr);
  TreeSource(TreeSource&&) noexcept = default;
  ~TreeSource();

  // Prefetches items and children for connection ids in [lo, hi).
  Status LoadWindow(std::int64_t lo, std::int64_t hi);
  void ClearWindow();

  // The rows of one item kind for a connection (without the key column).
  Result<RowList> Items(Kind kind, std::int64_t id);
  // Ids of the children of `id` (connection_parent = id, id itself excluded), ascending.
  Result<std::span<const std::int64_t>> Children(std::int64_t id);
  // One connection row; null if it vanished.
  Result<const Connection*> ConnectionById(std::int64_t id);
  // Sub-items of a SIP command, in rowid order.
  Result<RowList> SipParts(SipPart part, const Value& sip_command);
  // A mysql command's argument texts in mysql_command_arg_index order.
  Result<RowList> MysqlArgs(const Value& mysql_command);

  store::Database& db() { return *db_; }

 private:
  struct KindState {
    bool exists = false;
    std::optional<store::Statement> point, range;
    std::size_t cols = 0;
    KeyedRows window;
    CellStore scratch;
  };
  // A sub-item table read by its parent's integer id (SIP parts, mysql arguments).
  struct SubState {
    std::optional<store::Statement> point, range;  // range: null while unindexed
    // Located by a rowid map: point (?2, ?3) and range (?3, ?4) also take rowid bounds,
    // and `scan` (the unindexed point query) answers keys that are not INTEGERs.
    const SipRowidMap* located = nullptr;
    std::optional<store::Statement> scan;
    std::size_t cols = 0;
    KeyedRows window;
  };
  explicit TreeSource(store::Database& db) : db_(&db) {}
  Status PrepareSip();
  // Makes every unindexed SIP part fast to read: a shared rowid map, else a TEMP copy.
  Status IndexSip();
  Status CopySip(std::size_t part);
  Status LoadChildren(std::int64_t lo, std::int64_t hi);
  // Loads `sub` for the integer ids found in column `col` of `parent`'s window rows.
  Status LoadSub(SubState& sub, Kind parent, std::size_t col);
  Result<RowList> SubRows(SubState& sub, const Value& key, CellStore& scratch);
  static Result<RowList> Collect(store::Statement& stmt, int first_col, CellStore& out);

  store::Database* db_;
  std::shared_ptr<SharedSipMaps> sip_maps_;
  std::array<KindState, kKindCount> kinds_;
  std::array<SubState, kSipPartCount> sip_;
  std::array<bool, kSipPartCount> sip_unindexed_{};
  std::size_t sip_lookups_ = 0;
  CellStore sip_scratch_;
  SubState mysql_args_;
  CellStore mysql_scratch_;
  std::optional<store::Statement> children_point_, children_range_, connection_point_;
  // Window state: children rows of parents in [lo_, hi_), reused in place.
  std::int64_t lo_ = 0, hi_ = 0;
  bool window_children_ = false;
  std::vector<std::pair<std::int64_t, std::int64_t>> edges_;  // (parent, child), sorted
  std::vector<Connection> window_rows_;                       // first window_used_ valid
  std::size_t window_used_ = 0;
  std::vector<std::pair<std::int64_t, std::size_t>> by_id_;  // child id -> row, sorted
  Connection scratch_connection_;
  std::vector<std::int64_t> children_scratch_;
};

}  // namespace honeyvt::tree
