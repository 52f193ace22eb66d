#pragma once
// `honeyvt tree`: dionaea's readlogsqltree, byte-compatible by default (TREE-SPEC.md),
// plus --latest-report, --format json and terminal-safe output. docs/tree.md documents
// the behaviour; this is the library entry point the CLI calls.

#include <string>

#include "core/result.h"
#include "store/sqlite.h"
#include "tree/filters.h"
#include "tree/sink.h"

namespace honeyvt::tree {

enum class Format { kText, kJson };

struct TreeOptions {
  TreeFilters filters;
  std::string db_label;  // DBPATH exactly as typed (first output line)
  Format format = Format::kText;
  bool latest_report = false;    // newest VT report per md5 instead of the sum of all
  bool raw = false;              // text: do not escape control characters / bad UTF-8
  std::size_t page_size = 1000;  // roots read per query
};

// What -q prints: "using database located at X", the query (leading empty line) and a
// final empty line.
std::string QueryOnlyText(const TreeOptions& options);

// Streams the trees of `db` (opened read-only by the caller) into `sink`. Stops quietly
// when the sink is closed.
Status RunTree(store::Database& db, const TreeOptions& options, Sink& sink);

}  // namespace honeyvt::tree
