#include "tree/connection.h"

namespace honeyvt::tree {

Connection Connection::Read(const store::Statement& stmt, int c) {
  Connection row;
  row.id = stmt.Int64(c);
  row.type = Value::Read(stmt, c + 1);
  row.transport = Value::Read(stmt, c + 2);
  row.protocol = Value::Read(stmt, c + 3);
  row.when = Value::Read(stmt, c + 4);
  row.root = Value::Read(stmt, c + 5);
  row.parent = Value::Read(stmt, c + 6);
  row.local_host = Value::Read(stmt, c + 7);
  row.local_port = Value::Read(stmt, c + 8);
  row.remote_host = Value::Read(stmt, c + 9);
  row.remote_hostname = Value::Read(stmt, c + 10);
  row.remote_port = Value::Read(stmt, c + 11);
  row.unixtime = Value::Read(stmt, c + 12);
  return row;
}

void BindValue(store::Statement& stmt, int index, const Value& v) {
  switch (v.type) {
    case store::ColumnType::kNull: stmt.BindNull(index); break;
    case store::ColumnType::kInteger: stmt.Bind(index, v.integer); break;
    case store::ColumnType::kFloat: stmt.Bind(index, v.real); break;
    case store::ColumnType::kText: stmt.Bind(index, std::string_view(v.bytes)); break;
    case store::ColumnType::kBlob: stmt.BindBlob(index, v.bytes); break;
  }
}

}  // namespace honeyvt::tree
