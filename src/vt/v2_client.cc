// VirusTotal API v2 client (contract in vt/client.h). The key travels only in the
// `apikey` form field of POST bodies, never in a URL.

#include <algorithm>

#include "core/strings.h"
#include "vt/clients.h"
#include "vt/error_map.h"
#include "vt/json_doc.h"
#include "vt/json_parse.h"
#include "vt/request_util.h"

namespace honeyvt::vt {
namespace {

// True if the report describes `hash` (v2 answers batches in request order; this catches
// a server that does not).
bool ReportMatches(const domain::FileReport& report, const domain::Hash& hash) {
  switch (hash.kind()) {
    case domain::HashKind::kMd5:
      return report.md5 == hash.hex();
    case domain::HashKind::kSha1:
      return report.sha1 == hash.hex();
    case domain::HashKind::kSha256:
      return report.sha256 == hash.hex();
  }
  return false;
}

// True if the report answers a poll of `scan_id` ("<sha256>-<seconds>"): the same file.
// An id of another form is matched by the report's own scan_id.
bool ReportAnswersScan(const domain::FileReport& report, std::string_view scan_id) {
  const std::size_t dash = scan_id.find('-');
  if (dash == 64 && IsHex(scan_id.substr(0, 64), 64)) {
    return report.sha256 == ToLower(scan_id.substr(0, 64));
  }
  return report.scan_id == scan_id;
}

// The analysis a poll of `scan_id` found complete (v2 has no analysis object: the report).
domain::Analysis AnalysisOf(domain::FileReport report, std::string_view scan_id) {
  domain::Analysis a;
  a.id = report.scan_id.empty() ? std::string(scan_id) : report.scan_id;
  a.status = domain::AnalysisStatus::kCompleted;
  a.date = report.last_analysis_date;
  a.md5 = std::move(report.md5);
  a.sha1 = std::move(report.sha1);
  a.sha256 = std::move(report.sha256);
  a.engines = std::move(report.engines);
  return a;
}

class V2Client final : public Client {
 public:
  V2Client(const Options& options, std::shared_ptr<Transport> transport)
      : base_(NormalizeBaseUrl(options.base_url, kV2BaseUrl)),
        key_(options.api_key),
        batch_(V2BatchSize(options.v2_batch_size)),
        max_upload_(UploadLimit(2, options.max_upload_size)),
        request_timeout_(options.request_timeout),
        transport_(std::move(transport)) {}

  int api_version() const override { return 2; }
  int MaxBatch() const override { return batch_; }

  Result<domain::FileReport> GetFileReport(const domain::Hash& hash) override {
    ASSIGN_OR_RETURN(auto reports, GetFileReports(std::span<const domain::Hash>(&hash, 1)));
    return std::move(reports.front());
  }

  Result<std::vector<Result<domain::FileReport>>> GetFileReports(
      std::span<const domain::Hash> hashes) override {
    if (hashes.empty()) return std::vector<Result<domain::FileReport>>();
    if (hashes.size() > static_cast<std::size_t>(batch_)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "at most " + std::to_string(batch_) + " hashes per v2 file/report");
    }
    std::string resources;
    for (const domain::Hash& h : hashes) resources += (resources.empty() ? "" : ",") + h.hex();
    ASSIGN_OR_RETURN(std::string body, Call(Post("file/report", {{"resource", resources}})));
    ASSIGN_OR_RETURN(auto reports, Scrubbed(ParseV2FileReports(body, hashes.size()), key_));
    for (std::size_t i = 0; i < reports.size(); ++i) {
      if (reports[i] && !ReportMatches(*reports[i], hashes[i])) {
        reports[i] = ShapeError("file/report answered for another file than " + hashes[i].hex());
      }
    }
    return reports;
  }

  Result<domain::AnalysisRef> UploadFile(const Upload& upload) override {
    ASSIGN_OR_RETURN(std::int64_t size, CheckUploadSize(upload.body.get(), max_upload_));
    HttpRequest request = Post("file/scan", {});
    request.multipart = true;
    request.timeout = UploadTimeout(request_timeout_, size);
    request.form.push_back({.name = "file",
                            .value = "",
                            .source = upload.body,
                            .filename = UploadFileName(upload.filename)});
    ASSIGN_OR_RETURN(std::string body, Call(request));
    return Scrubbed(ParseV2ScanReply(body), key_);
  }

  // A scan_id is looked up like a hash; kQueued while VirusTotal still works on it.
  Result<domain::Analysis> GetAnalysis(std::string_view analysis_id) override {
    RETURN_IF_ERROR(CheckAnalysisId(analysis_id));
    ASSIGN_OR_RETURN(std::string body,
                     Call(Post("file/report", {{"resource", std::string(analysis_id)}})));
    ASSIGN_OR_RETURN(auto reports, Scrubbed(ParseV2FileReports(body, 1), key_));
    ASSIGN_OR_RETURN(domain::FileReport report, std::move(reports.front()));
    return AnalysisOf(std::move(report), analysis_id);
  }

  Result<BatchAnswer> PollAndLookup(std::span<const std::string> analysis_ids,
                                    std::span<const domain::Hash> hashes) override {
    const std::size_t n = analysis_ids.size() + hashes.size();
    if (n == 0) return BatchAnswer{};
    if (n > static_cast<std::size_t>(batch_)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "at most " + std::to_string(batch_) + " resources per v2 file/report");
    }
    std::vector<std::string> resources;
    for (std::string_view id : analysis_ids) {
      RETURN_IF_ERROR(CheckAnalysisId(id));
      resources.emplace_back(id);
    }
    for (const domain::Hash& h : hashes) resources.push_back(h.hex());
    std::string list;
    for (const std::string& r : resources) list += (list.empty() ? "" : ",") + r;
    ASSIGN_OR_RETURN(std::string body, Call(Post("file/report", {{"resource", list}})));
    ASSIGN_OR_RETURN(auto reports, Scrubbed(ParseV2FileReportsFor(body, resources), key_));
    BatchAnswer answer;
    for (std::size_t i = 0; i < analysis_ids.size(); ++i) {
      Result<domain::FileReport>& r = reports[i];
      if (!r) {
        answer.polls.emplace_back(std::move(r).error());
      } else if (!ReportAnswersScan(*r, analysis_ids[i])) {
        answer.polls.emplace_back(
            ShapeError("file/report answered for another file than " + analysis_ids[i]));
      } else {
        answer.polls.emplace_back(AnalysisOf(*std::move(r), analysis_ids[i]));
      }
    }
    for (std::size_t j = 0; j < hashes.size(); ++j) {
      Result<domain::FileReport>& r = reports[analysis_ids.size() + j];
      if (r && !ReportMatches(*r, hashes[j])) {
        r = ShapeError("file/report answered for another file than " + hashes[j].hex());
      }
      answer.lookups.push_back(std::move(r));
    }
    return answer;
  }

  Result<domain::AnalysisRef> Reanalyse(const domain::Hash& hash) override {
    ASSIGN_OR_RETURN(std::string body, Call(Post("file/rescan", {{"resource", hash.hex()}})));
    return Scrubbed(ParseV2ScanReply(body), key_);
  }

  Result<domain::CommentAck> AddComment(const domain::Hash& hash, std::string_view text) override {
    ASSIGN_OR_RETURN(
        std::string body,
        Call(Post("comments/put", {{"resource", hash.hex()}, {"comment", std::string(text)}})));
    return Scrubbed(ParseV2CommentReply(body), key_);
  }

 private:
  HttpRequest Post(const std::string& endpoint,
                   std::vector<std::pair<std::string, std::string>> fields) const {
    HttpRequest r;
    r.method = "POST";
    r.url = base_ + endpoint;
    r.headers = {{"accept", "application/json"}};
    r.form.push_back(
        {.name = "apikey", .value = std::string(key_.Reveal()), .source = {}, .filename = {}});
    for (auto& [name, value] : fields) {
      r.form.push_back({.name = name, .value = std::move(value), .source = {}, .filename = {}});
    }
    return r;
  }

  // The body of a 200 reply as received (data is never redacted; messages made from it
  // are, see Scrubbed), else the mapped error.
  Result<std::string> Call(const HttpRequest& request) {
    auto response = transport_->Send(request);
    if (!response) return RedactError(std::move(response).error(), key_);
    if (response->status != 200) return MapV2Response(*response, key_);
    return std::move(response->body);
  }

  std::string base_;
  Secret key_;
  int batch_;
  std::int64_t max_upload_;
  std::chrono::seconds request_timeout_;
  std::shared_ptr<Transport> transport_;
};

}  // namespace

std::unique_ptr<Client> MakeV2Client(const Options& options, std::shared_ptr<Transport> transport) {
  return std::make_unique<V2Client>(options, std::move(transport));
}

}  // namespace honeyvt::vt
