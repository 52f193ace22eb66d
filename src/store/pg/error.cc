#include "store/pg/error.h"

#include "core/strings.h"

namespace honeyvt::pg {

ErrorCode CodeForSqlState(std::string_view s) {
  if (s.size() != 5) return ErrorCode::kTransient;  // no SQLSTATE: the connection failed
  const std::string_view cls = s.substr(0, 2);
  if (cls == "08" || s == "57P01" || s == "57P02" || s == "57P03") return ErrorCode::kTransient;
  if (s == "40001" || s == "40P01" || s == "55P03" || s == "57014") return ErrorCode::kBusy;
  if (cls == "28") return ErrorCode::kForbidden;  // the login is refused (role, password)
  if (s == "42501") return ErrorCode::kForbidden;
  if (s == "3D000" || s == "3F000" || s == "42P01" || s == "42883") return ErrorCode::kNotFound;
  if (cls == "23") return ErrorCode::kInvalidArgument;
  if (cls == "22") return ErrorCode::kCorrupt;
  return ErrorCode::kIo;
}

Error MakePgError(std::string_view what, std::string_view message, std::string_view sqlstate) {
  std::string text = "PostgreSQL: " + std::string(what);
  std::string msg = Trim(message);
  if (!msg.empty()) text += ": " + msg;
  if (!sqlstate.empty()) text += " (SQLSTATE " + std::string(sqlstate) + ")";
  return MakeError(CodeForSqlState(sqlstate), std::move(text));
}

}  // namespace honeyvt::pg
