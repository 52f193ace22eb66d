#include "tree/walker.h"

#include <unordered_set>
#include <vector>

namespace honeyvt::tree {
namespace {

struct Frame {
  std::vector<std::int64_t> children;
  std::size_t next = 0;
};

}  // namespace

Status WalkTree(const Connection& root, TreeSource& source, TreeWriter& writer, const Sink& sink,
                const std::function<Status()>& after_node) {
  std::unordered_set<std::int64_t> visited{root.id};
  std::vector<Frame> stack;
  RETURN_IF_ERROR(writer.Enter(root, 0));
  {
    ASSIGN_OR_RETURN(auto kids, source.Children(root.id));
    stack.push_back(Frame{{kids.begin(), kids.end()}, 0});
  }
  while (!stack.empty()) {
    if (!sink.ok()) return OkStatus();
    Frame& top = stack.back();
    if (top.next == top.children.size()) {
      stack.pop_back();
      RETURN_IF_ERROR(writer.Leave(stack.size()));
      continue;
    }
    const std::int64_t id = top.children[top.next++];
    if (!visited.insert(id).second) continue;
    ASSIGN_OR_RETURN(const Connection* row, source.ConnectionById(id));
    if (row == nullptr) continue;
    RETURN_IF_ERROR(writer.Enter(*row, stack.size()));
    ASSIGN_OR_RETURN(auto kids, source.Children(id));
    stack.push_back(Frame{{kids.begin(), kids.end()}, 0});
    if (after_node) RETURN_IF_ERROR(after_node());
  }
  return OkStatus();
}

}  // namespace honeyvt::tree
