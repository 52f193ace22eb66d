#include "store/pg/result.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>

#include "store/pg/params.h"

namespace honeyvt::pg {

void PgResult::Deleter::operator()(pg_result* r) const { PQclear(r); }

PgResult::PgResult(pg_result* res) : res_(res) {}

int PgResult::rows() const { return res_ ? PQntuples(res_.get()) : 0; }
int PgResult::columns() const { return res_ ? PQnfields(res_.get()) : 0; }

int PgResult::Column(std::string_view name) const {
  if (!res_) return -1;
  return PQfnumber(res_.get(), std::string(name).c_str());
}

bool PgResult::IsNull(int row, int col) const {
  return !res_ || row < 0 || row >= rows() || col < 0 || col >= columns() ||
         PQgetisnull(res_.get(), row, col) != 0;
}

std::string_view PgResult::TextView(int row, int col) const {
  if (IsNull(row, col)) return {};
  return {PQgetvalue(res_.get(), row, col),
          static_cast<std::size_t>(PQgetlength(res_.get(), row, col))};
}

std::optional<std::string> PgResult::OptText(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Text(row, col);
}

std::int64_t PgResult::Int64(int row, int col) const {
  const std::string_view t = TextView(row, col);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double PgResult::Double(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return std::strtod(Text(row, col).c_str(), nullptr);
}

bool PgResult::Bool(int row, int col) const { return TextView(row, col) == "t"; }

TimePoint PgResult::Time(int row, int col) const { return FromMicros(Int64(row, col)); }

std::optional<TimePoint> PgResult::OptTime(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Time(row, col);
}

std::int64_t PgResult::Affected() const {
  if (!res_) return 0;
  const char* n = PQcmdTuples(res_.get());
  std::int64_t v = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

}  // namespace honeyvt::pg
