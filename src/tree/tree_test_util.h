#pragma once
// Test-only helpers for tree tests: build fixture databases and run the tree into a string.

#include <filesystem>
#include <stdexcept>
#include <string>

#include "store/sqlite.h"
#include "tree/sink.h"
#include "tree/tree.h"

namespace honeyvt::tree::testing {

inline std::string RunToString(const std::filesystem::path& db_path, TreeOptions options) {
  auto db = store::Database::Open(db_path, {.mode = store::OpenMode::kReadOnly});
  if (!db) throw std::runtime_error(db.error().ToString());
  if (options.db_label.empty()) options.db_label = db_path.filename().string();
  StringSink sink;
  Status st = RunTree(*db, options, sink);
  if (!st) throw std::runtime_error(st.error().ToString());
  return sink.str();
}

// Runs SQL on a database we own in the test.
inline void Exec(const std::filesystem::path& db_path, const std::string& sql) {
  auto db = store::Database::Open(db_path, {.mode = store::OpenMode::kReadWrite});
  if (!db) throw std::runtime_error(db.error().ToString());
  Status st = db->Exec(sql);
  if (!st) throw std::runtime_error(st.error().ToString());
}

}  // namespace honeyvt::tree::testing
