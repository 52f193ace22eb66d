#pragma once
// Storage for rows read from SQLite without per-row allocations: cells live in one flat
// vector that is reused (cleared logically, never shrunk), so once warm a window load or
// point query reuses the strings' capacity instead of calling malloc. A Row is a view of
// one row's cells, valid until the store is reused.

#include <cstddef>
#include <span>
#include <vector>

#include "store/sqlite.h"
#include "tree/value.h"

namespace honeyvt::tree {

using Row = std::span<const Value>;

// Rows of one fixed width over contiguous cells.
class RowList {
 public:
  RowList() = default;
  RowList(const Value* cells, std::size_t cols, std::size_t count)
      : cells_(cells), cols_(cols), count_(count) {}
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Row operator[](std::size_t i) const { return Row(cells_ + i * cols_, cols_); }

  class Iterator {
   public:
    Iterator(const RowList* list, std::size_t i) : list_(list), i_(i) {}
    Row operator*() const { return (*list_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }

   private:
    const RowList* list_;
    std::size_t i_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, count_); }

 private:
  const Value* cells_ = nullptr;
  std::size_t cols_ = 0;
  std::size_t count_ = 0;
};

// A reusable grow-only cell store for rows of `cols` columns.
class CellStore {
 public:
  void Clear(std::size_t cols) {
    cols_ = cols;
    rows_ = 0;
  }
  // Appends one row read from columns [first_col, first_col + cols) of `stmt`.
  void Append(const store::Statement& stmt, int first_col) {
    const std::size_t need = (rows_ + 1) * cols_;
    if (cells_.size() < need) cells_.resize(need);
    for (std::size_t c = 0; c < cols_; ++c) {
      cells_[rows_ * cols_ + c].ReadInto(stmt, first_col + static_cast<int>(c));
    }
    ++rows_;
  }
  std::size_t rows() const { return rows_; }
  RowList List() const { return RowList(cells_.data(), cols_, rows_); }
  RowList Slice(std::size_t first, std::size_t count) const {
    return RowList(cells_.data() + first * cols_, cols_, count);
  }

 private:
  std::vector<Value> cells_;
  std::size_t cols_ = 0;
  std::size_t rows_ = 0;
};

}  // namespace honeyvt::tree
