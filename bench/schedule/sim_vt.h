#pragma once
// An in-process VirusTotal for the schedule simulator: answers like vtsim (known samples
// have a report, uploads are analysed in AnalysisDelay(sha256), a comment is accepted once
// the file's analysis has completed and answered "not found" before)
// and charges every request to a server-side quota ledger (vtsim's own QuotaLedger), so
// a request the real service would refuse is refused here too and counted.
// Not thread-safe.

#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "schedule/scenario.h"
#include "tools/vtsim/quota.h"
#include "vt/client.h"

namespace honeyvt::bench {

struct CallCounts {
  std::int64_t lookups = 0, uploads = 0, polls = 0, comments = 0;
  std::int64_t refused = 0;   // answered "quota exceeded"
  std::int64_t uploaded = 0;  // uploads accepted (distinct samples)
  // Analyses polled, refused requests included like every counter here: one per
  // GetAnalysis, one per analysis id in a v2 batch (a batch of three polls is one request
  // in `polls` and three here).
  std::int64_t polled = 0;
  std::int64_t Total() const { return lookups + uploads + polls + comments; }
};

class SimVt final : public vt::Client {
 public:
  SimVt(const Clock& clock, int api_version, std::vector<vtsim::QuotaWindow> quota);

  // Makes a sample exist; `path` is the file an upload of it would send.
  void Add(const SimSample& sample, const std::string& path);
  const CallCounts& counts() const { return counts_; }
  // When the upload of `md5` was accepted (0 if never).
  std::optional<TimePoint> UploadedAt(const std::string& md5) const;

  int api_version() const override { return version_; }
  int MaxBatch() const override { return version_ == 2 ? 4 : 1; }
  Result<domain::FileReport> GetFileReport(const domain::Hash& hash) override;
  Result<std::vector<Result<domain::FileReport>>> GetFileReports(
      std::span<const domain::Hash> hashes) override;
  // The sample is found by the upload's file name (its path's last component).
  Result<domain::AnalysisRef> UploadFile(const vt::Upload& upload) override;
  Result<domain::Analysis> GetAnalysis(std::string_view analysis_id) override;
  // One request, counted as a poll when it carries one (lookups ride along), else as a
  // lookup; an unfinished analysis answers kQueued like v2.
  Result<BatchAnswer> PollAndLookup(std::span<const std::string> analysis_ids,
                                    std::span<const domain::Hash> hashes) override;
  Result<domain::AnalysisRef> Reanalyse(const domain::Hash& hash) override;
  Result<domain::CommentAck> AddComment(const domain::Hash& hash, std::string_view text) override;

 private:
  struct Entry {
    SimSample sample;
    std::optional<TimePoint> uploaded;
  };
  // Charges one request; the error when the server would refuse it.
  std::optional<Error> Charge(std::int64_t& counter);
  Result<domain::FileReport> Lookup(const std::string& hex);
  Result<domain::Analysis> Analyse(std::string_view analysis_id) const;
  domain::FileReport ReportOf(const SimSample& s, std::int64_t date) const;
  bool Analysed(const Entry& e) const;

  const Clock& clock_;
  int version_;
  vtsim::QuotaLedger ledger_;
  CallCounts counts_;
  std::map<std::string, Entry*> by_hash_;  // md5, sha1, sha256 -> entry
  std::map<std::string, Entry*> by_name_;  // file name of the sample's path
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace honeyvt::bench
