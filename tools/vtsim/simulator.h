#pragma once
// The simulated VirusTotal service without HTTP: catalogue, analyses and their lifecycle,
// one-time upload tokens, quotas, faults and the call log. The HTTP layer (server.h)
// translates requests into these calls and results into VirusTotal's JSON.
//
// Analysis lifecycle, on the simulated clock: "queued" for the first half of the
// analysis delay, "in-progress" (a growing share of engine results) for the second,
// "completed" after it; an analysis picked by the never-complete fault stays "queued".
// A completed upload adds its file to the catalogue; a completed rescan refreshes the
// file's last analysis. Completion is applied lazily, on the next call that looks.
//
// Thread-safe: every public method locks one mutex; nothing blocks while holding it.

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tools/vtsim/catalogue.h"
#include "tools/vtsim/faults.h"
#include "tools/vtsim/quota.h"
#include "tools/vtsim/sim_clock.h"
#include "tools/vtsim/sim_log.h"
#include "tools/vtsim/sim_options.h"

namespace honeyvt::vtsim {

enum class AnalysisState { kQueued, kInProgress, kCompleted };
std::string_view AnalysisStateName(AnalysisState s);

struct AnalysisView {
  std::string id;
  std::int64_t date = 0;  // Unix seconds inside the id
  AnalysisState state = AnalysisState::kQueued;
  Sample sample;                       // the analysed file
  std::vector<EngineVerdict> results;  // empty while queued, partial while in progress
};

struct CommentView {
  std::string id, sha256, text;
  std::int64_t date = 0;
  bool duplicate = false;  // same text on the same file before (v2 reports it)
};

class Simulator {
 public:
  // Builds the state from validated parts. `base` must outlive the simulator.
  static Result<std::unique_ptr<Simulator>> Create(const SimOptions& options, Clock& base);

  // --- request admission -------------------------------------------------------------
  enum class Auth { kOk, kMissing, kWrong };
  Auth CheckKey(std::string_view key) const;
  // Logs the call and charges quota; returns the refusing window, or "" if admitted.
  std::string Admit(std::string_view key, const std::string& endpoint, int cost);
  void LogAuthError(const std::string& endpoint);
  FaultAction NextFault(std::string_view path, const std::string& endpoint);
  // stall-body, drawn before a POST's body is read (logged like the others).
  FaultAction NextBodyFault(std::string_view path);

  // --- service ---------------------------------------------------------------------
  std::optional<Sample> FindFile(std::string_view hash);
  // Accepts uploaded content; returns the analysis (queued).
  AnalysisView Upload(std::string_view content, std::string_view filename, std::string_view key,
                      std::string_view via);
  // nullopt if the hash is unknown.
  std::optional<AnalysisView> Rescan(std::string_view hash);
  std::optional<AnalysisView> GetAnalysis(std::string_view id);
  // The scan id of an analysis still pending for this file, if any (v2 response_code -2).
  std::optional<std::string> PendingScanId(std::string_view hash);
  std::optional<CommentView> Comment(std::string_view hash, std::string_view text,
                                     std::string_view key, std::string_view api);
  std::string NewUploadToken();
  enum class TokenUse { kOk, kUsed, kUnknown };
  TokenUse UseUploadToken(std::string_view token);

  // --- control ---------------------------------------------------------------------
  nlohmann::json LogJson();
  nlohmann::json FaultsJson();
  Status SetFaults(const nlohmann::json& body);
  void Reset();
  void Advance(Duration d) { clock_.Advance(d); }
  SimClock& clock() { return clock_; }
  const SimOptions& options() const { return options_; }

 private:
  struct Analysis {
    std::string id;
    std::int64_t date = 0;
    TimePoint created;
    bool never_completes = false;
    bool is_upload = true;
    bool applied = false;
    Sample sample;
    double delay_seconds = 0;  // from upload/rescan to completed
  };
  Simulator(const SimOptions& options, Clock& base, Catalogue catalogue,
            std::vector<QuotaWindow> windows, FaultPlan faults);
  AnalysisState StateOf(const Analysis& a, TimePoint now) const;
  double DelayFor(const Sample& sample) const;
  AnalysisView ViewOf(const Analysis& a, TimePoint now) const;
  void SettleLocked(TimePoint now);
  Analysis& StartAnalysisLocked(Sample sample, bool is_upload, TimePoint now);

  const SimOptions options_;
  SimClock clock_;
  const Catalogue initial_catalogue_;
  const FaultPlan initial_faults_;
  mutable std::mutex mu_;
  Catalogue catalogue_;                        // guarded by mu_
  std::map<std::string, Analysis> analyses_;   // guarded by mu_; by id
  std::set<std::string> pending_;              // guarded by mu_; ids not yet applied
  std::map<std::string, bool> upload_tokens_;  // guarded by mu_; token -> used
  QuotaLedger quota_;                          // guarded by mu_
  FaultPlan faults_;                           // guarded by mu_
  SimLog log_;                                 // guarded by mu_
  std::uint64_t token_counter_ = 0;            // guarded by mu_
};

}  // namespace honeyvt::vtsim
