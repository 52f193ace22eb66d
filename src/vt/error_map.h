#pragma once
// Classifies an HTTP reply that is not a success into the error set of vt/client.h.
// Both functions attach Retry-After when the server sent one and pass every piece of
// server text that goes into a message through Redact(text, key) (a v3 401 once echoed
// "Wrong API key: <key>").

#include <chrono>
#include <optional>
#include <vector>

#include "core/result.h"
#include "core/secret.h"
#include "vt/transport.h"

namespace honeyvt::vt {

// Retry-After as delta-seconds, or as an HTTP-date measured against the reply's Date
// header. Absent or unparsable -> nullopt. Clamped to [0, 31 days].
std::optional<std::chrono::seconds> ParseRetryAfter(const HttpResponse& response);

// v3: any status but 200 (see the table in vt/client.h; the JSON error.code refines it).
Error MapV3Response(const HttpResponse& response, const Secret& key);

// v2: any status but 200 (204 quota, 403 auth, 400 bad request, 5xx transient).
Error MapV2Response(const HttpResponse& response, const Secret& key);

// The same error with its message redacted (for transport and parse errors).
Error RedactError(Error error, const Secret& key);

// A parse result with the key scrubbed from its error messages (outer and, for batches,
// per item). Parsed data is never touched: redaction is for messages only (a one-letter
// key must not turn the engine "Kaspersky" into "<redacted>aspersky").
template <typename T>
Result<T> Scrubbed(Result<T> result, const Secret& key) {
  if (!result) return Unexpected(RedactError(std::move(result).error(), key));
  return result;
}
template <typename T>
Result<std::vector<Result<T>>> Scrubbed(Result<std::vector<Result<T>>> result, const Secret& key) {
  if (!result) return Unexpected(RedactError(std::move(result).error(), key));
  for (Result<T>& item : *result) {
    if (!item) item = Unexpected(RedactError(std::move(item).error(), key));
  }
  return result;
}

}  // namespace honeyvt::vt
