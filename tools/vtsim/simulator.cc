#include "tools/vtsim/simulator.h"

#include <algorithm>
#include <charconv>

#include "core/digest.h"
#include "tools/vtsim/ids.h"
#include "tools/vtsim/verdict.h"

namespace honeyvt::vtsim {

std::string_view AnalysisStateName(AnalysisState s) {
  switch (s) {
    case AnalysisState::kQueued:
      return "queued";
    case AnalysisState::kInProgress:
      return "in-progress";
    case AnalysisState::kCompleted:
      return "completed";
  }
  return "queued";
}

Result<std::unique_ptr<Simulator>> Simulator::Create(const SimOptions& options, Clock& base) {
  if (!(options.time_factor > 0)) {
    return MakeError(ErrorCode::kInvalidArgument, "time factor must be greater than 0");
  }
  if (options.analysis_delay_seconds < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "analysis delay must not be negative");
  }
  if (options.analysis_delay_max_seconds != 0 &&
      options.analysis_delay_max_seconds < options.analysis_delay_seconds) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "analysis delay maximum must not be below the analysis delay");
  }
  if (options.v2_batch_limit < 1) {
    return MakeError(ErrorCode::kInvalidArgument, "v2 batch limit must be at least 1");
  }
  ASSIGN_OR_RETURN(auto windows, ParseQuota(options.quota));
  FaultPlan faults;
  faults.Seed(options.fault_seed);
  for (const std::string& spec : options.faults) RETURN_IF_ERROR(faults.AddSpec(spec));
  RETURN_IF_ERROR(faults.AddSequence(options.fault_sequence));
  Catalogue catalogue(ToUnixSecondsInt(base.Now()));
  for (const auto& path : options.catalogues) RETURN_IF_ERROR(catalogue.LoadPath(path));
  return std::unique_ptr<Simulator>(
      new Simulator(options, base, std::move(catalogue), std::move(windows), std::move(faults)));
}

Simulator::Simulator(const SimOptions& options, Clock& base, Catalogue catalogue,
                     std::vector<QuotaWindow> windows, FaultPlan faults)
    : options_(options),
      clock_(base, options.time_factor),
      initial_catalogue_(catalogue),
      initial_faults_(faults),
      catalogue_(std::move(catalogue)),
      quota_(std::move(windows)),
      faults_(std::move(faults)) {}

Simulator::Auth Simulator::CheckKey(std::string_view key) const {
  if (key.empty()) return Auth::kMissing;
  if (options_.keys.empty()) return Auth::kOk;
  return std::find(options_.keys.begin(), options_.keys.end(), key) != options_.keys.end()
             ? Auth::kOk
             : Auth::kWrong;
}

std::string Simulator::Admit(std::string_view key, const std::string& endpoint, int cost) {
  const std::string label = KeyLabel(key);
  std::lock_guard lock(mu_);
  log_.Call(label, endpoint);
  auto verdict = quota_.Charge(label, cost, clock_.Now());
  if (verdict.allowed) return "";
  log_.QuotaError(label, endpoint, verdict.exceeded);
  return verdict.exceeded;
}

void Simulator::LogAuthError(const std::string& endpoint) {
  std::lock_guard lock(mu_);
  log_.AuthError(endpoint);
}

FaultAction Simulator::NextFault(std::string_view path, const std::string& endpoint) {
  std::lock_guard lock(mu_);
  FaultAction a = faults_.Next(path);
  if (a.kind != FaultKind::kNone) log_.Fault(std::string(FaultKindName(a.kind)), endpoint);
  return a;
}

FaultAction Simulator::NextBodyFault(std::string_view path) {
  std::lock_guard lock(mu_);
  FaultAction a = faults_.NextBodyFault(path);
  if (a.kind != FaultKind::kNone)
    log_.Fault(std::string(FaultKindName(a.kind)), "POST " + std::string(path));
  return a;
}

AnalysisState Simulator::StateOf(const Analysis& a, TimePoint now) const {
  if (a.never_completes) return AnalysisState::kQueued;
  const auto delay = std::chrono::duration<double>(a.delay_seconds);
  const auto elapsed = std::chrono::duration<double>(now - a.created);
  if (elapsed >= delay) return AnalysisState::kCompleted;
  if (elapsed >= delay / 2) return AnalysisState::kInProgress;
  return AnalysisState::kQueued;
}

AnalysisView Simulator::ViewOf(const Analysis& a, TimePoint now) const {
  AnalysisView v{a.id, a.date, StateOf(a, now), a.sample, {}};
  if (v.state == AnalysisState::kQueued) return v;
  v.results = GenerateResults(a.sample, a.date);
  if (v.state == AnalysisState::kInProgress) {
    // Engines report one by one: keep a share growing from 0 to 1 over the second half.
    const double half = a.delay_seconds / 2;
    const double into = std::chrono::duration<double>(now - a.created).count() - half;
    const double share = half > 0 ? std::clamp(into / half, 0.0, 1.0) : 1.0;
    v.results.resize(static_cast<std::size_t>(share * static_cast<double>(v.results.size())));
  }
  return v;
}

void Simulator::SettleLocked(TimePoint now) {
  for (auto pending = pending_.begin(); pending != pending_.end();) {
    Analysis& a = analyses_.at(*pending);
    if (StateOf(a, now) != AnalysisState::kCompleted) {
      ++pending;
      continue;
    }
    pending = pending_.erase(pending);
    a.applied = true;
    Sample* known = catalogue_.FindMutable(a.sample.sha256);
    if (known == nullptr) {
      Sample s = a.sample;
      s.last_analysis_date = s.last_submission_date = a.date;
      catalogue_.Add(std::move(s));
      continue;
    }
    known->last_analysis_date = std::max(known->last_analysis_date, a.date);
    if (a.is_upload) {
      known->times_submitted += 1;
      known->last_submission_date = std::max(known->last_submission_date, a.date);
      for (const std::string& n : a.sample.names) {
        if (std::find(known->names.begin(), known->names.end(), n) == known->names.end()) {
          known->names.push_back(n);
        }
      }
    }
  }
}

double Simulator::DelayFor(const Sample& sample) const {
  const double lo = options_.analysis_delay_seconds;
  const double hi = options_.analysis_delay_max_seconds;
  std::uint64_t h = 0;
  const char* first = sample.sha256.data();
  if (!(hi > lo) || sample.sha256.size() < 8 ||
      std::from_chars(first, first + 8, h, 16).ptr != first + 8) {
    return lo;
  }
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<double>(h % span);
}

Simulator::Analysis& Simulator::StartAnalysisLocked(Sample sample, bool is_upload, TimePoint now) {
  const std::int64_t date = ToUnixSecondsInt(now);
  const std::string id = MakeAnalysisId(sample.md5, date);
  auto [it, inserted] = analyses_.try_emplace(id);
  if (inserted) {
    const double delay = DelayFor(sample);
    it->second = Analysis{
        id, date, now, faults_.NextAnalysisStalls(), is_upload, false, std::move(sample), delay};
    pending_.insert(id);
  }
  return it->second;
}

std::optional<Sample> Simulator::FindFile(std::string_view hash) {
  std::lock_guard lock(mu_);
  SettleLocked(clock_.Now());
  const Sample* s = catalogue_.Find(hash);
  if (s == nullptr) return std::nullopt;
  return *s;
}

AnalysisView Simulator::Upload(std::string_view content, std::string_view filename,
                               std::string_view key, std::string_view via) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  SettleLocked(now);
  const std::int64_t date = ToUnixSecondsInt(now);
  Sample sample = SampleForUpload(content, filename, date);
  if (const Sample* known = catalogue_.Find(sample.sha256)) {
    Sample copy = *known;
    copy.names = sample.names;  // merged into the known names on completion
    sample = std::move(copy);
  }
  log_.Upload(UploadRecord{KeyLabel(key), std::string(via), sample.md5, sample.sha1, sample.sha256,
                           std::string(filename), static_cast<std::int64_t>(content.size()), date});
  return ViewOf(StartAnalysisLocked(std::move(sample), true, now), now);
}

std::optional<AnalysisView> Simulator::Rescan(std::string_view hash) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  SettleLocked(now);
  const Sample* known = catalogue_.Find(hash);
  if (known == nullptr) return std::nullopt;
  return ViewOf(StartAnalysisLocked(*known, false, now), now);
}

std::optional<AnalysisView> Simulator::GetAnalysis(std::string_view id) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  SettleLocked(now);
  auto it = analyses_.find(std::string(id));
  if (it == analyses_.end()) return std::nullopt;
  return ViewOf(it->second, now);
}

std::optional<std::string> Simulator::PendingScanId(std::string_view hash) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  SettleLocked(now);
  for (const std::string& id : pending_) {
    const Analysis& a = analyses_.at(id);
    if (!a.is_upload) continue;
    if (a.sample.md5 == hash || a.sample.sha1 == hash || a.sample.sha256 == hash) {
      return MakeScanId(a.sample.sha256, a.date);
    }
  }
  return std::nullopt;
}

std::optional<CommentView> Simulator::Comment(std::string_view hash, std::string_view text,
                                              std::string_view key, std::string_view api) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  SettleLocked(now);
  const Sample* s = catalogue_.Find(hash);
  if (s == nullptr) return std::nullopt;
  CommentView c;
  c.sha256 = s->sha256;
  c.text = std::string(text);
  c.date = ToUnixSecondsInt(now);
  for (const CommentRecord& r : log_.comments()) {
    if (r.sha256 == c.sha256 && r.text == c.text) c.duplicate = true;
  }
  const std::uint64_t h =
      Fnv1a(c.text + std::to_string(c.date) + std::to_string(log_.comments().size()));
  c.id = "f-" + c.sha256 + "-" + DigestBytes(std::to_string(h)).md5.substr(0, 8);
  if (!(c.duplicate && api == "v2")) {
    log_.Comment(CommentRecord{KeyLabel(key), std::string(api), c.sha256, c.text, c.date});
  }
  return c;
}

std::string Simulator::NewUploadToken() {
  std::lock_guard lock(mu_);
  const std::string seed = std::to_string(++token_counter_) + ":" +
                           std::to_string(clock_.Now().time_since_epoch().count());
  const ContentDigests d = DigestBytes(seed);
  std::string token = "AMmfu6" + d.sha256 + d.sha1;  // shaped like Google's upload handles
  upload_tokens_[token] = false;
  return token;
}

Simulator::TokenUse Simulator::UseUploadToken(std::string_view token) {
  std::lock_guard lock(mu_);
  auto it = upload_tokens_.find(std::string(token));
  if (it == upload_tokens_.end()) return TokenUse::kUnknown;
  if (it->second) return TokenUse::kUsed;
  it->second = true;
  return TokenUse::kOk;
}

nlohmann::json Simulator::LogJson() {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  SettleLocked(now);
  nlohmann::json out = log_.ToJson();
  nlohmann::json analyses = nlohmann::json::array();
  for (const auto& [id, a] : analyses_) {
    analyses.push_back({{"id", id},
                        {"sha256", a.sample.sha256},
                        {"date", a.date},
                        {"kind", a.is_upload ? "upload" : "rescan"},
                        {"status", AnalysisStateName(StateOf(a, now))}});
  }
  out["analyses"] = analyses;
  out["sim_time"] = ToUnixSecondsInt(now);
  return out;
}

nlohmann::json Simulator::FaultsJson() {
  std::lock_guard lock(mu_);
  return faults_.ToJson();
}

Status Simulator::SetFaults(const nlohmann::json& body) {
  std::lock_guard lock(mu_);
  return faults_.SetFromJson(body);
}

void Simulator::Reset() {
  std::lock_guard lock(mu_);
  catalogue_ = initial_catalogue_;
  analyses_.clear();
  pending_.clear();
  upload_tokens_.clear();
  quota_.Reset();
  faults_ = initial_faults_;
  log_.Clear();
}

}  // namespace honeyvt::vtsim
