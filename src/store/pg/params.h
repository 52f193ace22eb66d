#pragma once
// Statement parameters in libpq's text format. Values are always bound, never spliced
// into SQL. Times travel as bigint microseconds since the Unix epoch (exact both ways;
// the schema's honeyvt.ts(bigint) / honeyvt.us(timestamptz) convert).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace honeyvt::pg {

std::int64_t Micros(TimePoint t);
TimePoint FromMicros(std::int64_t us);

class Params {
 public:
  Params() = default;
  template <typename... Args>
  explicit Params(const Args&... args) {
    (Add(args), ...);
  }

  // Text: PostgreSQL stores neither NUL nor invalid UTF-8, so a NUL ends the value and
  // invalid bytes become U+FFFD (hostile reports must not make a write fail for ever).
  Params& Add(std::string_view v);
  Params& Add(const std::string& v) { return Add(std::string_view(v)); }
  Params& Add(const char* v) { return Add(std::string_view(v)); }
  Params& Add(std::int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
  }
  Params& Add(int v) { return Add(static_cast<std::int64_t>(v)); }
  Params& Add(bool v) {
    values_.emplace_back(v ? "t" : "f");
    return *this;
  }
  Params& Add(double v);
  // A time, as microseconds since the epoch.
  Params& Add(TimePoint t) { return Add(Micros(t)); }
  Params& AddNull() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  template <typename T>
  Params& Add(const std::optional<T>& v) {
    return v ? Add(*v) : AddNull();
  }
  // A text[] literal ({"a","b",NULL}) of `items`; empty strings become NULL if asked.
  Params& AddTextArray(const std::vector<std::string>& items, bool empty_is_null = false);
  Params& AddIntArray(const std::vector<std::int64_t>& items);

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers for PQexecParams (nullptr = NULL); valid while this object lives unchanged.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

}  // namespace honeyvt::pg
