#pragma once
// The one error vocabulary of honeyvt. Fallible functions return Result<T> (a value or
// an Error) or Status (Result<void>). The shape follows std::expected so that moving to
// C++23 is a rename. Exceptions from third-party code are caught at module edges and
// turned into an Error; they never cross a module boundary.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace honeyvt {

// A small closed set of error kinds; callers branch on these, never on messages.
enum class ErrorCode {
  kInvalidArgument,  // bad user input (flags, config, time filter, hash)
  kNotFound,         // file, row, or remote object does not exist
  kCorrupt,          // data that cannot be parsed (database, JSON, file format)
  kIo,               // file system or database I/O failure
  kBusy,             // a lock held by another process outlasted our retries
  kTransient,        // network failure or server error; retrying later may work
  kRateLimited,      // server says "too many requests" (short-term throttle)
  kQuotaExceeded,    // per-minute/day/month API quota used up
  kAuthFailed,       // API key missing or wrong
  kForbidden,        // key lacks the privilege for this call
  kBadRequest,       // server rejected the request as malformed
  kTooLarge,         // payload over a size limit
  kQueued,           // remote analysis not finished yet (v2 response_code -2)
  kCancelled,        // stopped on request (stop token, signal)
  kLeaseLost,        // another worker took the job over (lease expired); nothing written
  kInternal,         // a bug: an invariant did not hold
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
  // Server-provided delay before retrying (HTTP Retry-After), when there was one.
  std::optional<std::chrono::seconds> retry_after = std::nullopt;

  // "not found: <message>"
  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message), std::nullopt};
}

// Tag type so `return Unexpected(err)` reads like std::unexpected.
struct Unexpected {
  explicit Unexpected(Error e) : error(std::move(e)) {}
  Unexpected(ErrorCode code, std::string message) : error{code, std::move(message), std::nullopt} {}
  Error error;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}             // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : error_(std::move(u.error)) {}  // NOLINT
  Result(Error e) : error_(std::move(e)) {}             // NOLINT

  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status OkStatus() { return Status(); }

}  // namespace honeyvt

// Propagates an error from an expression yielding Result<T>/Status.
#define HONEYVT_CONCAT_INNER(a, b) a##b
#define HONEYVT_CONCAT(a, b) HONEYVT_CONCAT_INNER(a, b)
#define RETURN_IF_ERROR(expr)                                                               \
  do {                                                                                      \
    auto honeyvt_status_ = (expr);                                                          \
    if (!honeyvt_status_) return ::honeyvt::Unexpected(std::move(honeyvt_status_).error()); \
  } while (0)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                     \
  auto tmp = (expr);                                              \
  if (!tmp) return ::honeyvt::Unexpected(std::move(tmp).error()); \
  lhs = std::move(tmp).value()
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(HONEYVT_CONCAT(honeyvt_result_, __LINE__), lhs, expr)
