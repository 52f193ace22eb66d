#include "schedule/sim_vt.h"

namespace honeyvt::bench {
namespace {

constexpr int kEngines = 70;
const std::string kKey = "bench";

}  // namespace

SimVt::SimVt(const Clock& clock, int api_version, std::vector<vtsim::QuotaWindow> quota)
    : clock_(clock), version_(api_version), ledger_(std::move(quota)) {}

void SimVt::Add(const SimSample& sample, const std::string& path) {
  entries_.push_back(std::make_unique<Entry>(Entry{sample, std::nullopt}));
  Entry* e = entries_.back().get();
  by_hash_[sample.md5] = e;
  by_hash_[sample.sha1] = e;
  by_hash_[sample.sha256] = e;
  if (!path.empty()) by_name_[std::filesystem::path(path).filename().string()] = e;
}

std::optional<TimePoint> SimVt::UploadedAt(const std::string& md5) const {
  auto it = by_hash_.find(md5);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second->uploaded;
}

std::optional<Error> SimVt::Charge(std::int64_t& counter) {
  ++counter;
  if (ledger_.Charge(kKey, 1, clock_.Now()).allowed) return std::nullopt;
  ++counts_.refused;
  return Error{ErrorCode::kQuotaExceeded, "quota exceeded", std::nullopt};
}

bool SimVt::Analysed(const Entry& e) const {
  return e.sample.known ||
         (e.uploaded && clock_.Now() >= *e.uploaded + AnalysisDelay(e.sample.sha256));
}

domain::FileReport SimVt::ReportOf(const SimSample& s, std::int64_t date) const {
  domain::FileReport r;
  r.md5 = s.md5;
  r.sha1 = s.sha1;
  r.sha256 = s.sha256;
  r.last_analysis_date = date;
  r.permalink = "https://www.virustotal.com/gui/file/" + s.sha256;
  for (int i = 0; i < kEngines; ++i) {
    domain::EngineResult e;
    e.engine = "Engine" + std::to_string(i);
    e.engine_name = e.engine;
    e.category = i < s.positives ? "malicious" : "undetected";
    if (i < s.positives) e.result = "Sim.Family." + std::to_string(i % 7);
    r.engines.push_back(std::move(e));
  }
  return r;
}

Result<domain::FileReport> SimVt::Lookup(const std::string& hex) {
  auto it = by_hash_.find(hex);
  if (it == by_hash_.end()) return MakeError(ErrorCode::kNotFound, "unknown sample");
  const Entry& e = *it->second;
  if (Analysed(e)) return ReportOf(e.sample, ToUnixSecondsInt(clock_.Now()));
  if (!e.uploaded) return MakeError(ErrorCode::kNotFound, "unknown sample");
  domain::FileReport pending;  // uploaded, analysis running: no results yet
  pending.md5 = e.sample.md5;
  pending.sha256 = e.sample.sha256;
  return pending;
}

Result<domain::FileReport> SimVt::GetFileReport(const domain::Hash& hash) {
  if (auto refused = Charge(counts_.lookups)) return *refused;
  return Lookup(hash.hex());
}

Result<std::vector<Result<domain::FileReport>>> SimVt::GetFileReports(
    std::span<const domain::Hash> hashes) {
  if (auto refused = Charge(counts_.lookups)) return *refused;
  std::vector<Result<domain::FileReport>> out;
  for (const auto& h : hashes) out.push_back(Lookup(h.hex()));
  return out;
}

Result<domain::AnalysisRef> SimVt::UploadFile(const vt::Upload& upload) {
  if (auto refused = Charge(counts_.uploads)) return *refused;
  auto it = by_name_.find(upload.filename);
  if (it == by_name_.end()) return MakeError(ErrorCode::kBadRequest, "no such sample file");
  Entry& e = *it->second;
  if (!e.uploaded) {
    e.uploaded = clock_.Now();
    ++counts_.uploaded;
  }
  return domain::AnalysisRef{"a-" + e.sample.md5, e.sample.sha256, ""};
}

Result<domain::Analysis> SimVt::GetAnalysis(std::string_view analysis_id) {
  ++counts_.polled;
  if (auto refused = Charge(counts_.polls)) return *refused;
  return Analyse(analysis_id);
}

Result<vt::Client::BatchAnswer> SimVt::PollAndLookup(std::span<const std::string> analysis_ids,
                                                     std::span<const domain::Hash> hashes) {
  if (version_ != 2 || analysis_ids.size() + hashes.size() > 4) {
    return MakeError(ErrorCode::kBadRequest, "no such batch");
  }
  counts_.polled += static_cast<std::int64_t>(analysis_ids.size());
  if (auto refused = Charge(analysis_ids.empty() ? counts_.lookups : counts_.polls)) {
    return *refused;
  }
  BatchAnswer answer;
  for (const std::string& id : analysis_ids) {
    auto a = Analyse(id);
    if (a && a->status != domain::AnalysisStatus::kCompleted) {
      a = MakeError(ErrorCode::kQueued, "still analysing");
    }
    answer.polls.push_back(std::move(a));
  }
  for (const auto& h : hashes) answer.lookups.push_back(Lookup(h.hex()));
  return answer;
}

Result<domain::Analysis> SimVt::Analyse(std::string_view analysis_id) const {
  auto it = by_hash_.find(std::string(analysis_id.substr(2)));
  if (analysis_id.substr(0, 2) != "a-" || it == by_hash_.end()) {
    return MakeError(ErrorCode::kNotFound, "unknown analysis");
  }
  const Entry& e = *it->second;
  domain::Analysis a;
  a.id = std::string(analysis_id);
  a.md5 = e.sample.md5;
  a.sha1 = e.sample.sha1;
  a.sha256 = e.sample.sha256;
  if (!Analysed(e)) return a;  // kQueued
  a.status = domain::AnalysisStatus::kCompleted;
  a.date = ToUnixSecondsInt(clock_.Now());
  a.engines = ReportOf(e.sample, a.date).engines;
  return a;
}

Result<domain::AnalysisRef> SimVt::Reanalyse(const domain::Hash&) {
  return MakeError(ErrorCode::kBadRequest, "not simulated");
}

Result<domain::CommentAck> SimVt::AddComment(const domain::Hash& hash, std::string_view) {
  if (auto refused = Charge(counts_.comments)) return *refused;
  // Like VirusTotal (and vtsim): a file is only known, and can only be commented on,
  // once its first analysis has completed (DIONAEA-FACTS §8.8).
  auto it = by_hash_.find(hash.hex());
  if (it == by_hash_.end() || !Analysed(*it->second)) {
    return MakeError(ErrorCode::kNotFound, "file not found");
  }
  return domain::CommentAck{};
}

}  // namespace honeyvt::bench
