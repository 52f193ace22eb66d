#include "core/result.h"

namespace honeyvt {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kIo:
      return "i/o error";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kTransient:
      return "transient";
    case ErrorCode::kRateLimited:
      return "rate limited";
    case ErrorCode::kQuotaExceeded:
      return "quota exceeded";
    case ErrorCode::kAuthFailed:
      return "authentication failed";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kBadRequest:
      return "bad request";
    case ErrorCode::kTooLarge:
      return "too large";
    case ErrorCode::kQueued:
      return "queued";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kLeaseLost:
      return "lease lost";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code));
  out += ": ";
  out += message;
  return out;
}

}  // namespace honeyvt
