#pragma once
// One SQLite cell captured from a row, and its rendering as Python 3.2's str() of the
// value read through Python's sqlite3 module (TREE-SPEC §8): NULL -> None, INTEGER ->
// decimal, REAL -> float repr, TEXT -> as is, BLOB -> bytes repr.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/sqlite.h"

namespace honeyvt::tree {

struct Value {
  store::ColumnType type = store::ColumnType::kNull;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // TEXT (UTF-8 as stored) or BLOB contents

  static Value Read(const store::Statement& stmt, int col);
  // Overwrites `*this` in place, reusing its string capacity (no allocation once warm).
  void ReadInto(const store::Statement& stmt, int col);
  static Value Int(std::int64_t v);
  static Value Text(std::string_view v);
  bool is_null() const { return type == store::ColumnType::kNull; }
};

// Python str() of the value (see above).
std::string PyStr(const Value& v);
void AppendPyStr(std::string& out, const Value& v);

}  // namespace honeyvt::tree
