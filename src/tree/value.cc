#include "tree/value.h"

#include <charconv>

#include "tree/python_repr.h"

namespace honeyvt::tree {

Value Value::Read(const store::Statement& stmt, int col) {
  Value v;
  v.ReadInto(stmt, col);
  return v;
}

void Value::ReadInto(const store::Statement& stmt, int col) {
  type = stmt.Type(col);
  switch (type) {
    case store::ColumnType::kInteger:
      integer = stmt.Int64(col);
      break;
    case store::ColumnType::kFloat:
      real = stmt.Double(col);
      break;
    case store::ColumnType::kText:
      bytes.assign(stmt.TextView(col));
      break;
    case store::ColumnType::kBlob:
      bytes.assign(stmt.Blob(col));
      break;
    case store::ColumnType::kNull:
      break;
  }
}

Value Value::Int(std::int64_t i) {
  Value v;
  v.type = store::ColumnType::kInteger;
  v.integer = i;
  return v;
}

Value Value::Text(std::string_view t) {
  Value v;
  v.type = store::ColumnType::kText;
  v.bytes = t;
  return v;
}

void AppendPyStr(std::string& out, const Value& v) {
  switch (v.type) {
    case store::ColumnType::kNull:
      out += "None";
      break;
    case store::ColumnType::kInteger: {
      char buf[24];
      auto res = std::to_chars(buf, buf + sizeof buf, v.integer);
      out.append(buf, static_cast<std::size_t>(res.ptr - buf));
      break;
    }
    case store::ColumnType::kFloat:
      out += PyFloatRepr(v.real);
      break;
    case store::ColumnType::kText:
      out += v.bytes;
      break;
    case store::ColumnType::kBlob:
      AppendPyBytesRepr(out, v.bytes);
      break;
  }
}

std::string PyStr(const Value& v) {
  std::string out;
  AppendPyStr(out, v);
  return out;
}

}  // namespace honeyvt::tree
