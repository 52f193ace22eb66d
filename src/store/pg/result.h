#pragma once
// Owner of one PGresult (PQclear on destruction). Rows and columns are 0-based. Values
// come in libpq's text format; accessors convert. Move-only.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

struct pg_result;

namespace honeyvt::pg {

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* res);  // takes ownership (may be null)

  int rows() const;
  int columns() const;
  // Index of the column named `name`, -1 if there is none.
  int Column(std::string_view name) const;
  bool IsNull(int row, int col) const;
  std::string_view TextView(int row, int col) const;  // NULL -> ""
  std::string Text(int row, int col) const { return std::string(TextView(row, col)); }
  std::optional<std::string> OptText(int row, int col) const;
  std::int64_t Int64(int row, int col) const;  // NULL or not a number -> 0
  double Double(int row, int col) const;
  bool Bool(int row, int col) const;       // "t"
  TimePoint Time(int row, int col) const;  // bigint microseconds column
  std::optional<TimePoint> OptTime(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t Affected() const;

  pg_result* get() const { return res_.get(); }

 private:
  struct Deleter {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Deleter> res_;
};

}  // namespace honeyvt::pg
