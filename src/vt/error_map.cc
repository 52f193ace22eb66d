#include "vt/error_map.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <string>

#include "core/strings.h"
#include "vt/json_doc.h"
#include "vt/json_parse.h"

namespace honeyvt::vt {
namespace {

constexpr std::chrono::seconds kMaxRetryAfter{31LL * 86400};

std::optional<std::int64_t> ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

// Errors by status alone, for bodies without a (known) VirusTotal error code.
ErrorCode ByStatus(int status) {
  if (status == 401) return ErrorCode::kAuthFailed;
  if (status == 403) return ErrorCode::kForbidden;
  if (status == 404) return ErrorCode::kNotFound;
  if (status == 413) return ErrorCode::kTooLarge;
  if (status == 424) return ErrorCode::kTransient;  // FailedDependencyError
  if (status == 429) return ErrorCode::kRateLimited;
  if (status >= 400 && status < 500) return ErrorCode::kBadRequest;
  return ErrorCode::kTransient;  // 5xx, unfollowed 3xx, 1xx, anything odd
}

// v3 error.code values with a meaning of their own.
std::optional<ErrorCode> ByV3Code(const std::string& code) {
  static const std::map<std::string, ErrorCode, std::less<>> kCodes = {
      {"BadRequestError", ErrorCode::kBadRequest},
      {"InvalidArgumentError", ErrorCode::kBadRequest},
      {"NotAvailableYet", ErrorCode::kTransient},
      {"AuthenticationRequiredError", ErrorCode::kAuthFailed},
      {"WrongCredentialsError", ErrorCode::kAuthFailed},
      {"UserNotActiveError", ErrorCode::kAuthFailed},
      {"ForbiddenError", ErrorCode::kForbidden},
      {"NotFoundError", ErrorCode::kNotFound},
      {"AlreadyExistsError", ErrorCode::kBadRequest},
      {"FailedDependencyError", ErrorCode::kTransient},
      {"QuotaExceededError", ErrorCode::kQuotaExceeded},
      {"TooManyRequestsError", ErrorCode::kRateLimited},
      {"TransientError", ErrorCode::kTransient},
      {"DeadlineExceededError", ErrorCode::kTransient},
  };
  auto it = kCodes.find(code);
  if (it == kCodes.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(const HttpResponse& response) {
  auto value = response.Header("retry-after");
  if (!value) return std::nullopt;
  std::int64_t seconds = 0;
  if (auto n = ParseInt(Trim(*value))) {
    seconds = *n;
  } else {
    auto at = ParseHttpDate(Trim(*value));
    auto date_header = response.Header("date");
    auto now = date_header ? ParseHttpDate(Trim(*date_header)) : std::nullopt;
    if (!at || !now) return std::nullopt;
    seconds = *at - *now;
  }
  return std::clamp(std::chrono::seconds(seconds), std::chrono::seconds(0), kMaxRetryAfter);
}

Error MapV3Response(const HttpResponse& response, const Secret& key) {
  const V3ErrorBody body = ParseV3Error(response.body);
  ErrorCode code = ByV3Code(body.code).value_or(ByStatus(response.status));
  // Appended piece by piece: `"literal" + std::string` inserts at 0, which GCC 12 at -O3
  // reports as a (false) -Wrestrict overlap of the inlined memcpy.
  std::string message = "VirusTotal HTTP ";
  message += std::to_string(response.status);
  // Redact before cutting, so a truncated excerpt cannot keep part of the key.
  if (!body.code.empty()) {
    message += ' ';
    message += Excerpt(Redact(body.code, key), 60);
  }
  if (!body.message.empty()) {
    message += ": ";
    message += Excerpt(Redact(body.message, key), 200);
  }
  Error e = MakeError(code, Redact(message, key));
  e.retry_after = ParseRetryAfter(response);
  return e;
}

Error MapV2Response(const HttpResponse& response, const Secret& key) {
  ErrorCode code = ErrorCode::kTransient;
  std::string what;
  switch (response.status) {
    case 204:
      code = ErrorCode::kQuotaExceeded;
      what = " (API quota exceeded)";
      break;
    case 403:
      code = ErrorCode::kAuthFailed;
      what = " (API key wrong or lacking privileges)";
      break;
    case 404:
      // A v2 404 is a missing endpoint (v2 switched off?), never an unknown file.
      code = ErrorCode::kBadRequest;
      what = " (endpoint not found)";
      break;
    default:
      code = ByStatus(response.status);
      break;
  }
  Error e = MakeError(
      code,
      Redact("VirusTotal v2 HTTP " + std::to_string(response.status) + what +
                 (response.body.empty() ? "" : ": " + Excerpt(Redact(response.body, key), 120)),
             key));
  e.retry_after = ParseRetryAfter(response);
  return e;
}

Error RedactError(Error error, const Secret& key) {
  error.message = Redact(error.message, key);
  return error;
}

}  // namespace honeyvt::vt
