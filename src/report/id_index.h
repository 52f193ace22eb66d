#pragma once
// Maps virustotal ids to positions in a vector: a dense table when ids are compact (the
// usual case: rowids), a hash map for the rest. Find returns -1 for unknown ids.

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace honeyvt::report {

class IdIndex {
 public:
  // `max_id` = greatest id that will be Set; `count` = how many will be Set.
  IdIndex(std::int64_t max_id, std::int64_t count) {
    if (max_id >= 0 && max_id <= 4 * count + 4096) {
      dense_.assign(static_cast<std::size_t>(max_id) + 1, -1);
    }
  }
  void Set(std::int64_t id, std::int64_t position) {
    if (id >= 0 && static_cast<std::size_t>(id) < dense_.size()) {
      dense_[static_cast<std::size_t>(id)] = position;
    } else {
      sparse_[id] = position;
    }
  }
  std::int64_t Find(std::int64_t id) const {
    if (id >= 0 && static_cast<std::size_t>(id) < dense_.size()) {
      return dense_[static_cast<std::size_t>(id)];
    }
    auto it = sparse_.find(id);
    return it == sparse_.end() ? -1 : it->second;
  }

 private:
  std::vector<std::int64_t> dense_;
  std::unordered_map<std::int64_t, std::int64_t> sparse_;
};

}  // namespace honeyvt::report
