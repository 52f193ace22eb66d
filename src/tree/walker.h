#pragma once
// Walks one attack tree depth-first without recursion: an explicit stack holds, per
// level, the child ids still to visit, so a 100,000-deep parent chain costs heap memory
// proportional to its depth, never C++ stack. A per-tree visited set makes parent cycles
// and self-parented rows print each connection at most once. Children come in ascending
// id order (TREE-SPEC §6). The walk stops early once the sink is closed.
// `after_node` (optional) runs after each connection is written; RunTree uses it to end
// and restart its read transaction when too much output is held.

#include <functional>

#include "core/result.h"
#include "tree/sink.h"
#include "tree/source.h"
#include "tree/writer.h"

namespace honeyvt::tree {

Status WalkTree(const Connection& root, TreeSource& source, TreeWriter& writer, const Sink& sink,
                const std::function<Status()>& after_node = {});

}  // namespace honeyvt::tree
