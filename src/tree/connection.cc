#include "tree/connection.h"

namespace honeyvt::tree {

Connection Connection::Read(const store::Statement& stmt, int c) {
  Connection row;
  row.ReadInto(stmt, c);
  return row;
}

void Connection::ReadInto(const store::Statement& stmt, int c) {
  id = stmt.Int64(c);
  type.ReadInto(stmt, c + 1);
  transport.ReadInto(stmt, c + 2);
  protocol.ReadInto(stmt, c + 3);
  when.ReadInto(stmt, c + 4);
  root.ReadInto(stmt, c + 5);
  parent.ReadInto(stmt, c + 6);
  local_host.ReadInto(stmt, c + 7);
  local_port.ReadInto(stmt, c + 8);
  remote_host.ReadInto(stmt, c + 9);
  remote_hostname.ReadInto(stmt, c + 10);
  remote_port.ReadInto(stmt, c + 11);
  unixtime.ReadInto(stmt, c + 12);
}

void BindValue(store::Statement& stmt, int index, const Value& v) {
  switch (v.type) {
    case store::ColumnType::kNull:
      stmt.BindNull(index);
      break;
    case store::ColumnType::kInteger:
      stmt.Bind(index, v.integer);
      break;
    case store::ColumnType::kFloat:
      stmt.Bind(index, v.real);
      break;
    case store::ColumnType::kText:
      stmt.Bind(index, std::string_view(v.bytes));
      break;
    case store::ColumnType::kBlob:
      stmt.BindBlob(index, v.bytes);
      break;
  }
}

}  // namespace honeyvt::tree
