#pragma once
// A row of dionaea's `connections` table as the tree prints it.

#include <cstdint>

#include "store/sqlite.h"
#include "tree/value.h"

namespace honeyvt::tree {

struct Connection {
  std::int64_t id = 0;
  Value type, transport, protocol;
  Value when;      // datetime(connection_timestamp,'unixepoch','localtime')
  Value unixtime;  // connection_timestamp as stored
  Value root, parent;
  Value local_host, local_port, remote_host, remote_hostname, remote_port;

  // Reads a row laid out as kConnectionColumns (filters.h).
  static Connection Read(const store::Statement& stmt, int first_col = 0);
  void ReadInto(const store::Statement& stmt, int first_col = 0);
};

// Binds a captured value to parameter `index` (1-based).
void BindValue(store::Statement& stmt, int index, const Value& v);

}  // namespace honeyvt::tree
