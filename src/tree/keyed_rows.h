#pragma once
// Window-prefetch building blocks shared by TreeSource's item kinds and sub-items.
//
// ScanCapped steps a bound statement and hands each row to a callback, stopping once
// more than `cap` rows arrived (the caller then falls back to point queries, so a
// window never holds unbounded rows). KeyedRows keeps rows sorted by an integer key
// (column 0 of the range query) and answers "rows of key k" by binary search.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"
#include "tree/rows.h"

namespace honeyvt::tree {

// Returns false (statement reset, rows so far delivered) when more than `cap` rows
// match; true when all rows were delivered.
template <typename OnRow>
Result<bool> ScanCapped(store::Statement& stmt, std::size_t cap, OnRow&& on_row) {
  std::size_t seen = 0;
  while (true) {
    auto row = stmt.Step();
    if (!row) {
      stmt.Reset();
      return std::move(row).error();
    }
    if (!*row) break;
    if (seen++ >= cap) {
      stmt.Reset();
      return false;
    }
    on_row(stmt);
  }
  stmt.Reset();
  return true;
}

// Rows of one table for keys in [lo, hi], read by one range scan ordered by (key, tie).
class KeyedRows {
 public:
  void Clear(std::size_t cols) {
    valid_ = false;
    keys_.clear();
    rows_.Clear(cols);
  }
  // Reads `range` bound to (lo, hi) (column 0 the key, the rest the row). Rows whose key
  // is not an INTEGER cannot equal an integer lookup and are skipped. Over `cap` rows, or
  // keys out of ascending order, leave the window invalid (lookups then use point queries).
  Status Load(store::Statement& range, std::int64_t lo, std::int64_t hi, std::size_t cols,
              std::size_t cap) {
    Clear(cols);
    range.Bind(1, lo).Bind(2, hi);
    bool sorted = true;
    ASSIGN_OR_RETURN(bool complete, ScanCapped(range, cap, [&](const store::Statement& s) {
                       if (s.Type(0) != store::ColumnType::kInteger) return;
                       const std::int64_t key = s.Int64(0);
                       if (!keys_.empty() && key < keys_.back()) sorted = false;
                       keys_.push_back(key);
                       rows_.Append(s, 1);
                     }));
    if (!complete || !sorted) {
      Clear(cols);
      return OkStatus();
    }
    lo_ = lo;
    hi_ = hi;
    valid_ = true;
    return OkStatus();
  }
  bool valid() const { return valid_; }
  RowList all() const { return rows_.List(); }
  // True when the window answers for `key`; then `out` holds its rows.
  bool Find(std::int64_t key, RowList& out) const {
    if (!valid_ || key < lo_ || key > hi_) return false;
    auto [b, e] = std::equal_range(keys_.begin(), keys_.end(), key);
    out = rows_.Slice(static_cast<std::size_t>(b - keys_.begin()), static_cast<std::size_t>(e - b));
    return true;
  }

 private:
  bool valid_ = false;
  std::int64_t lo_ = 0, hi_ = 0;
  std::vector<std::int64_t> keys_;
  CellStore rows_;
};

// The smallest and largest INTEGER in column `col` of `rows`; nullopt when none.
inline std::optional<std::pair<std::int64_t, std::int64_t>> IntegerSpan(const RowList& rows,
                                                                        std::size_t col) {
  std::optional<std::pair<std::int64_t, std::int64_t>> span;
  for (const Row r : rows) {
    if (r[col].type != store::ColumnType::kInteger) continue;
    const std::int64_t v = r[col].integer;
    if (!span)
      span.emplace(v, v);
    else
      span = std::pair(std::min(span->first, v), std::max(span->second, v));
  }
  return span;
}

}  // namespace honeyvt::tree
