#include "pipeline/fake_client.h"

#include "core/digest.h"

namespace honeyvt::pipeline::testing {

domain::FileReport MakeReport(const std::string& md5, const std::string& sha1,
                              const std::string& sha256, int positives, int engines,
                              std::int64_t date) {
  domain::FileReport r;
  r.md5 = md5;
  r.sha1 = sha1;
  r.sha256 = sha256;
  r.last_analysis_date = date;
  r.permalink = "https://www.virustotal.com/gui/file/" + sha256;
  r.raw_json = "{}";
  for (int i = 0; i < engines; ++i) {
    domain::EngineResult e;
    e.engine = "Engine" + std::to_string(i);
    e.engine_name = e.engine;
    e.category = i < positives ? "malicious" : "undetected";
    if (i < positives) e.result = "Trojan.Fake." + std::to_string(i);
    r.engines.push_back(e);
  }
  return r;
}

void FakeClient::AddKnown(const domain::FileReport& report) {
  if (!report.md5.empty()) known[report.md5] = report;
  if (!report.sha256.empty()) known[report.sha256] = report;
  if (!report.sha1.empty()) known[report.sha1] = report;
}

void FakeClient::Fault(Method m, ErrorCode code, std::optional<std::chrono::seconds> retry_after) {
  faults[m].push_back(Error{code, "scripted fault", retry_after});
}

int FakeClient::Count(std::string_view prefix) const {
  int n = 0;
  for (const auto& c : calls) n += c.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

std::optional<Error> FakeClient::TakeFault(Method m) {
  auto it = faults.find(m);
  if (it == faults.end() || it->second.empty()) return std::nullopt;
  Error e = it->second.front();
  it->second.pop_front();
  return e;
}

Result<domain::FileReport> FakeClient::Lookup(const std::string& hex) {
  auto it = known.find(hex);
  if (it == known.end()) return MakeError(ErrorCode::kNotFound, "unknown to the fake");
  return it->second;
}

Result<domain::FileReport> FakeClient::GetFileReport(const domain::Hash& hash) {
  calls.push_back("report " + hash.hex());
  if (auto f = TakeFault(Method::kReport)) return *f;
  return Lookup(hash.hex());
}

Result<std::vector<Result<domain::FileReport>>> FakeClient::GetFileReports(
    std::span<const domain::Hash> hashes) {
  calls.push_back("reports " + std::to_string(hashes.size()));
  if (auto f = TakeFault(Method::kReport)) return *f;
  if (static_cast<int>(hashes.size()) > max_batch) {
    return MakeError(ErrorCode::kBadRequest, "batch too large");
  }
  std::vector<Result<domain::FileReport>> out;
  for (const auto& h : hashes) out.push_back(Lookup(h.hex()));
  return out;
}

Result<domain::AnalysisRef> FakeClient::UploadFile(const vt::Upload& upload) {
  calls.push_back("upload " + upload.filename);
  if (auto f = TakeFault(Method::kUpload)) return *f;
  if (!upload.body) return MakeError(ErrorCode::kInvalidArgument, "an upload without a body");
  RETURN_IF_ERROR(upload.body->Rewind());
  std::string content;
  char buf[65536];
  while (true) {
    ASSIGN_OR_RETURN(std::size_t n, upload.body->Read(buf, sizeof buf));
    if (n == 0) break;
    content.append(buf, n);
  }
  const ContentDigests d = DigestBytes(content);
  const std::string id = "analysis-" + d.md5;
  Pending p;
  p.report = MakeReport(d.md5, d.sha1, d.sha256, positives, 10, 0);
  if (clock_ != nullptr) p.uploaded = clock_->Now();
  analyses_[id] = p;
  return domain::AnalysisRef{id, d.sha256, ""};
}

Result<domain::Analysis> FakeClient::GetAnalysis(std::string_view analysis_id) {
  calls.push_back("analysis " + std::string(analysis_id));
  if (auto f = TakeFault(Method::kAnalysis)) return *f;
  return Analyse(analysis_id);
}

Result<FakeClient::BatchAnswer> FakeClient::PollAndLookup(std::span<const std::string> analysis_ids,
                                                          std::span<const domain::Hash> hashes) {
  calls.push_back("batch " + std::to_string(analysis_ids.size()) + "+" +
                  std::to_string(hashes.size()));
  if (auto f = TakeFault(Method::kBatch)) return *f;
  if (static_cast<int>(analysis_ids.size() + hashes.size()) > max_batch) {
    return MakeError(ErrorCode::kBadRequest, "batch too large");
  }
  BatchAnswer answer;
  for (const std::string& id : analysis_ids) {
    auto a = Analyse(id);
    if (a && a->status != domain::AnalysisStatus::kCompleted) {
      a = MakeError(ErrorCode::kQueued, "still analysing " + id);
    }
    answer.polls.push_back(std::move(a));
  }
  for (const auto& h : hashes) answer.lookups.push_back(Lookup(h.hex()));
  if (batch_tamper) batch_tamper(answer);
  return answer;
}

Result<domain::Analysis> FakeClient::Analyse(std::string_view analysis_id) {
  auto it = analyses_.find(std::string(analysis_id));
  if (it == analyses_.end()) return MakeError(ErrorCode::kNotFound, "no such analysis");
  Pending& p = it->second;
  domain::Analysis a;
  a.id = it->first;
  bool done = ++p.polls > polls_until_complete;
  if (clock_ != nullptr && analysis_time > Duration::zero()) {
    done = clock_->Now() >= p.uploaded + analysis_time;
  }
  if (!done) {
    a.status = domain::AnalysisStatus::kQueued;
    return a;
  }
  a.status = domain::AnalysisStatus::kCompleted;
  a.md5 = p.report.md5;
  a.sha1 = p.report.sha1;
  a.sha256 = p.report.sha256;
  a.date = clock_ != nullptr ? ToUnixSecondsInt(clock_->Now()) : 1700000000;
  a.engines = p.report.engines;
  p.report.last_analysis_date = a.date;
  AddKnown(p.report);
  return a;
}

Result<domain::AnalysisRef> FakeClient::Reanalyse(const domain::Hash& hash) {
  calls.push_back("reanalyse " + hash.hex());
  return MakeError(ErrorCode::kForbidden, "not scripted");
}

Result<domain::CommentAck> FakeClient::AddComment(const domain::Hash& hash, std::string_view) {
  calls.push_back("comment " + hash.hex());
  if (auto f = TakeFault(Method::kComment)) return *f;
  return domain::CommentAck{"c1"};
}

}  // namespace honeyvt::pipeline::testing
