#pragma once
// The VirusTotal client contract the pipeline programs against. One call makes at most
// one logical API request (an upload above 32 MB makes two: upload_url + POST) and
// reports exactly what happened; scheduling, quotas and persistence belong to the
// pipeline. Implementations: v3 and v2 over an injected HTTP transport (vt/transport.h).
//
// Error mapping (core ErrorCode), identical for both API versions:
//   kNotFound       file/analysis unknown to VirusTotal (v3 404, v2 response_code 0)
//   kQueued         v2 response_code -2: known but still queued for analysis
//   kQuotaExceeded  v3 429 QuotaExceededError, v2 HTTP 204
//   kRateLimited    v3 429 TooManyRequestsError (or a 429 without a known code)
//   kAuthFailed     v3 401, v2 403 (missing or wrong key)
//   kForbidden      v3 403 ForbiddenError
//   kBadRequest     400 (BadRequestError, InvalidArgumentError, NotAvailableYet->kTransient)
//   kTooLarge       file over UploadLimit (core/api_limits.h; no request made), 413
//   kTransient      5xx, 503 TransientError, 504, timeouts, resets, TLS errors,
//                   truncated / non-JSON / over-size bodies, unexpected shapes
//   kIo             the body of an upload failed while it was sent (vt/file_body.h)
// Error::retry_after carries a Retry-After header when the server sent one. Messages
// never contain the API key.
//
// Thread safety: a Client is used by one thread at a time.

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/hash.h"
#include "domain/report.h"
#include "vt/transport.h"

namespace honeyvt::vt {

// Above this, uploads go through GET /files/upload_url (v3) first.
inline constexpr std::int64_t kDirectUploadBytes = 30LL * 1024 * 1024;

// A sample to upload: its bytes come from `body` (an open, checked file: vt/file_body.h);
// `filename` (the file's name) becomes the multipart filename when it is plain ASCII,
// else "sample".
struct Upload {
  std::shared_ptr<BodySource> body;
  std::string filename;
};

class Client {
 public:
  virtual ~Client() = default;

  virtual int api_version() const = 0;

  // GET /files/{hash} (v3) or file/report (v2).
  virtual Result<domain::FileReport> GetFileReport(const domain::Hash& hash) = 0;

  // Several lookups in one request where the API allows it (v2: up to MaxBatch()
  // comma-separated resources, answers in request order). The outer error is a failure
  // of the whole request (quota, auth, transport); inner results are per hash.
  // v3 has no batch lookup: MaxBatch() is 1.
  virtual int MaxBatch() const = 0;
  virtual Result<std::vector<Result<domain::FileReport>>> GetFileReports(
      std::span<const domain::Hash> hashes) = 0;

  // v2 only (MaxBatch() > 1): polls and lookups in ONE file/report request (one quota
  // charge). Resources are sent in the order `analysis_ids` (scan_ids), then `hashes`, at
  // most MaxBatch() in all; the answers come back in that order: `polls[i]` for
  // analysis_ids[i] (kQueued while VirusTotal still analyses it), `lookups[j]` for
  // hashes[j]. An answer that names another resource or another file than asked is an
  // error of that item (kTransient); a body that does not fit (not JSON, fewer or more
  // items) is an error of the whole request. Clients without a batch API (v3) answer
  // kInvalidArgument without a request.
  struct BatchAnswer {
    std::vector<Result<domain::Analysis>> polls;
    std::vector<Result<domain::FileReport>> lookups;
  };
  virtual Result<BatchAnswer> PollAndLookup(std::span<const std::string> analysis_ids,
                                            std::span<const domain::Hash> hashes) {
    (void)analysis_ids;
    (void)hashes;
    return MakeError(ErrorCode::kInvalidArgument, "this API has no batched polls");
  }

  // Uploads a sample (streamed from its open file; memory does not grow with size).
  // kTooLarge without a request when it is over the API's limit (UploadLimit); kIo when
  // the body fails (the file changed while it was sent: the transfer is aborted).
  virtual Result<domain::AnalysisRef> UploadFile(const Upload& upload) = 0;

  // GET /analyses/{id} (v3); v2 looks the scan_id up with file/report (kQueued while
  // VirusTotal still works on it).
  virtual Result<domain::Analysis> GetAnalysis(std::string_view analysis_id) = 0;

  // POST /files/{hash}/analyse (v3) or file/rescan (v2).
  virtual Result<domain::AnalysisRef> Reanalyse(const domain::Hash& hash) = 0;

  // POST /files/{hash}/comments (v3) or comments/put (v2). `text` may carry #tags.
  virtual Result<domain::CommentAck> AddComment(const domain::Hash& hash,
                                                std::string_view text) = 0;
};

}  // namespace honeyvt::vt
