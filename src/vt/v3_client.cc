// VirusTotal API v3 client (contract in vt/client.h).

#include <algorithm>

#include "vt/clients.h"
#include "vt/error_map.h"
#include "vt/json_doc.h"
#include "vt/json_parse.h"
#include "vt/request_util.h"

namespace honeyvt::vt {
namespace {

class V3Client final : public Client {
 public:
  V3Client(const Options& options, std::shared_ptr<Transport> transport)
      : base_(NormalizeBaseUrl(options.base_url, kV3BaseUrl)),
        key_(options.api_key),
        max_upload_(UploadLimit(3, options.max_upload_size)),
        request_timeout_(options.request_timeout),
        transport_(std::move(transport)) {}

  int api_version() const override { return 3; }
  int MaxBatch() const override { return 1; }

  Result<domain::FileReport> GetFileReport(const domain::Hash& hash) override {
    ASSIGN_OR_RETURN(std::string body, Call(Request("GET", base_ + "files/" + hash.hex())));
    return Scrubbed(ParseV3FileReport(body), key_);
  }

  Result<std::vector<Result<domain::FileReport>>> GetFileReports(
      std::span<const domain::Hash> hashes) override {
    std::vector<Result<domain::FileReport>> out;
    if (hashes.empty()) return out;
    if (hashes.size() > 1) {
      return MakeError(ErrorCode::kInvalidArgument, "v3 looks up one hash per request");
    }
    auto report = GetFileReport(hashes[0]);
    if (!report && report.error().code != ErrorCode::kNotFound) {
      return Unexpected(std::move(report).error());
    }
    out.push_back(std::move(report));
    return out;
  }

  Result<domain::AnalysisRef> UploadFile(const Upload& upload) override {
    ASSIGN_OR_RETURN(std::int64_t size, CheckUploadSize(upload.body.get(), max_upload_));
    std::string url = base_ + "files";
    if (size > kDirectUploadBytes) {
      ASSIGN_OR_RETURN(std::string reply, Call(Request("GET", base_ + "files/upload_url")));
      ASSIGN_OR_RETURN(url, Scrubbed(ParseV3UploadUrl(reply), key_));
    }
    HttpRequest request = Request("POST", url);
    request.multipart = true;
    request.timeout = UploadTimeout(request_timeout_, size);
    request.form.push_back({.name = "file",
                            .value = "",
                            .source = upload.body,
                            .filename = UploadFileName(upload.filename)});
    ASSIGN_OR_RETURN(std::string body, Call(request));
    return Scrubbed(ParseV3AnalysisDescriptor(body), key_);
  }

  Result<domain::Analysis> GetAnalysis(std::string_view analysis_id) override {
    RETURN_IF_ERROR(CheckAnalysisId(analysis_id));
    ASSIGN_OR_RETURN(std::string body,
                     Call(Request("GET", base_ + "analyses/" + EncodePathSegment(analysis_id))));
    return Scrubbed(ParseV3Analysis(body), key_);
  }

  Result<domain::AnalysisRef> Reanalyse(const domain::Hash& hash) override {
    ASSIGN_OR_RETURN(std::string body,
                     Call(Request("POST", base_ + "files/" + hash.hex() + "/analyse")));
    return Scrubbed(ParseV3AnalysisDescriptor(body), key_);
  }

  Result<domain::CommentAck> AddComment(const domain::Hash& hash, std::string_view text) override {
    HttpRequest request = Request("POST", base_ + "files/" + hash.hex() + "/comments");
    request.headers.emplace_back("content-type", "application/json");
    const Json payload = {{"data", {{"type", "comment"}, {"attributes", {{"text", text}}}}}};
    request.body = payload.dump(-1, ' ', false, Json::error_handler_t::replace);
    ASSIGN_OR_RETURN(HttpResponse response, Send(request));
    // 409 AlreadyExistsError: the same comment is there already (uncertain, docs/vt.md).
    if (response.status == 409) return domain::CommentAck{};
    ASSIGN_OR_RETURN(std::string body, Body(response));
    return Scrubbed(ParseV3Comment(body), key_);
  }

 private:
  HttpRequest Request(std::string method, std::string url) const {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.headers = {{"x-apikey", std::string(key_.Reveal())}, {"accept", "application/json"}};
    return r;
  }

  Result<HttpResponse> Send(const HttpRequest& request) {
    auto response = transport_->Send(request);
    if (!response) return RedactError(std::move(response).error(), key_);
    return response;
  }

  // The body of a 2xx reply as received (data is never redacted; messages made from it
  // are, see Scrubbed), else the mapped error.
  Result<std::string> Body(const HttpResponse& response) const {
    if (response.status < 200 || response.status > 299) return MapV3Response(response, key_);
    return response.body;
  }

  Result<std::string> Call(const HttpRequest& request) {
    ASSIGN_OR_RETURN(HttpResponse response, Send(request));
    return Body(response);
  }

  std::string base_;
  Secret key_;
  std::int64_t max_upload_;
  std::chrono::seconds request_timeout_;
  std::shared_ptr<Transport> transport_;
};

}  // namespace

std::unique_ptr<Client> MakeV3Client(const Options& options, std::shared_ptr<Transport> transport) {
  return std::make_unique<V3Client>(options, std::move(transport));
}

}  // namespace honeyvt::vt
