#pragma once
// Test and simulation support (honeyvt_pipeline_testing): a scripted, in-memory
// VirusTotal behind the vt::Client interface. Known samples answer lookups with their
// report; uploads create analyses that complete after `polls_until_complete` polls (or at
// a fake-clock time); faults queued per method are returned first, one per call; every
// call is logged.

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "vt/client.h"

namespace honeyvt::pipeline::testing {

enum class Method { kReport, kUpload, kAnalysis, kComment, kBatch };

// A report of `engines` engines, `positives` of them detecting, for the given digests.
domain::FileReport MakeReport(const std::string& md5, const std::string& sha1,
                              const std::string& sha256, int positives, int engines,
                              std::int64_t date);

class FakeClient final : public vt::Client {
 public:
  explicit FakeClient(Clock* clock = nullptr) : clock_(clock) {}

  int version = 3;
  int max_batch = 1;
  int polls_until_complete = 1;  // GetAnalysis answers "queued" this many times first
  Duration analysis_time{};      // with a clock: completes this long after the upload
  int positives = 3;             // verdict given to uploaded samples
  std::map<std::string, domain::FileReport> known;  // by md5 and sha256
  std::map<Method, std::deque<Error>> faults;
  std::vector<std::string> calls;  // "report <hash>", "reports <n>", "upload <path>",
                                   // "batch <polls>+<lookups>", ...
  // Applied to every PollAndLookup answer before it is returned (hostile-server tests).
  std::function<void(BatchAnswer&)> batch_tamper;

  void AddKnown(const domain::FileReport& report);
  void Fault(Method m, ErrorCode code, std::optional<std::chrono::seconds> retry_after = {});
  int Count(std::string_view prefix) const;

  int api_version() const override { return version; }
  int MaxBatch() const override { return max_batch; }
  Result<domain::FileReport> GetFileReport(const domain::Hash& hash) override;
  Result<std::vector<Result<domain::FileReport>>> GetFileReports(
      std::span<const domain::Hash> hashes) override;
  // Records "upload <file name>" and reads the body to the end (as a transfer would, so
  // a body that fails makes the upload fail with kIo).
  Result<domain::AnalysisRef> UploadFile(const vt::Upload& upload) override;
  Result<domain::Analysis> GetAnalysis(std::string_view analysis_id) override;
  // Like v2: one call; an analysis not complete yet answers kQueued.
  Result<BatchAnswer> PollAndLookup(std::span<const std::string> analysis_ids,
                                    std::span<const domain::Hash> hashes) override;
  Result<domain::AnalysisRef> Reanalyse(const domain::Hash& hash) override;
  Result<domain::CommentAck> AddComment(const domain::Hash& hash, std::string_view text) override;

 private:
  struct Pending {
    domain::FileReport report;
    int polls = 0;
    TimePoint uploaded{};
  };
  std::optional<Error> TakeFault(Method m);
  Result<domain::FileReport> Lookup(const std::string& hex);
  Result<domain::Analysis> Analyse(std::string_view analysis_id);
  Clock* clock_;
  std::map<std::string, Pending> analyses_;
};

}  // namespace honeyvt::pipeline::testing
