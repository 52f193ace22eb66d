#pragma once
// The walker reports each connection to a TreeWriter: Enter when it is reached (depth 0
// for a root), Leave after its whole subtree. Writers fetch the connection's items from
// the TreeSource themselves, so the walker knows nothing about output formats.

#include "core/result.h"
#include "tree/connection.h"

namespace honeyvt::tree {

class TreeWriter {
 public:
  virtual ~TreeWriter() = default;
  virtual Status Enter(const Connection& c, std::size_t depth) = 0;
  virtual Status Leave(std::size_t depth) = 0;
};

}  // namespace honeyvt::tree
