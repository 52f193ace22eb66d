#pragma once
// The sample state machine (docs/pipeline.md): claims the most urgent due step, makes at
// most one VirusTotal request for it (a v2 batch lookup covers several samples), and
// finishes the step in one transaction. The order of calls when several are due: polls
// and comments of samples already uploaded (finish what was started), lookups of new
// samples, uploads, re-lookups of parked samples, and last, only with quota that would
// otherwise go unused (QuotaGovernor::Spare), refreshes of stored reports that are old or
// detected by few engines.
//
// A due upload of a higher priority than every due lookup goes before the lookups.
//
// Holds (engine_holds.cc), only while a calendar window (day, month) limits the work,
// i.e. its room is less than the requests the active jobs still need: on v2 due lookups
// wait for a poll due within kRideWait (or for an upload, while most lookups find unknown
// samples) and then ride in the poll requests' free slots (a poll request rarely has four
// due polls); on v3 uploads keep the calendar windows' even pace
// (QuotaGovernor::PaceOpening), so that bursts of uploads do not make their polls queue
// behind the rate window. Uploads also wait for tomorrow when today cannot pay for their
// comment and polls. The daemon sleeps through every hold.
//
// Batching on v2 (a client with MaxBatch() > 1): lookups, re-lookups and refreshes are
// claimed up to min(v2_batch_size, MaxBatch()) at a time and asked in one file/report
// request. So are polls: the due polls (up to the limit) go out in ONE file/report request
// of their scan_ids, and room left in it is filled first with polls falling due within
// PollSlack() (half of poll_min), then with due lookups of new samples, then re-lookups,
// which ride along at no extra cost. The slack matters because samples uploaded in a
// burst are uploaded one request latency apart and their polls fall due that far apart
// too: batching only the polls already due would send the first poll of a burst alone
// and the others in requests of their own. Each answer is handled by its own job's step.
// A shared request is one quota charge (one Record); every job in it counts it in its
// `requests` (so the sum over jobs can exceed the requests sent), and each polled job
// counts it in its `polls`. v3 has no batch call: one GET /analyses per poll.
//
// Outcomes: every vt error code has a defined next step (transient -> capped exponential
// backoff with jitter, then kFailed after max_attempts; quota exceeded -> the governor
// pauses the whole pipeline; rate limited -> pause; auth failed -> the step is released
// and Step returns kAuthFailed so the daemon stops, keeping every job; rejected requests,
// missing and oversized files -> kFailed with the reason).
//
// Crash safety: a step's request is counted in the quota log before it is sent; the job
// is leased while the request runs; the report is stored (idempotently) before the job is
// finished. A crash therefore repeats at most the one in-flight request.
//
// Not thread-safe; one engine per daemon thread. All collaborators are borrowed.

#include <cstdint>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "core/clock.h"
#include "domain/job_store.h"
#include "pipeline/backoff.h"
#include "pipeline/config.h"
#include "pipeline/poll_schedule.h"
#include "pipeline/quota.h"
#include "pipeline/report_sink.h"
#include "vt/client.h"

namespace honeyvt::pipeline {

struct EngineDeps {
  domain::JobStore* jobs;
  domain::UsageStore* usage;
  vt::Client* client;
  ReportSink* sink;
  Clock* clock;
  QuotaGovernor* quota;
  PollSchedule* polls;
  Backoff* backoff;
  std::int64_t owner;  // lease owner: our process id
};

class Engine {
 public:
  Engine(PipelineConfig config, EngineDeps deps) : config_(std::move(config)), d_(deps) {}

  // Carries out one step if one is due and the quota allows. Returns true if a job moved
  // (or a request was made), false if nothing was due or the quota is closed.
  // Errors: kAuthFailed (stop the daemon; jobs kept), or a state-database failure.
  Result<bool> Step(std::stop_token stop);

  // Replaces the tuning (a configuration reload, between two steps).
  void Reconfigure(PipelineConfig config) { config_ = std::move(config); }
  const PipelineConfig& config() const { return config_; }

  // Set when the last Step held uploads back for lack of calendar quota: when the
  // window resets (the daemon then does not wake for due uploads before that).
  std::optional<TimePoint> uploads_held_until() const { return uploads_held_until_; }
  // Set when the last Step held due lookups and re-lookups back to ride along with the
  // next poll (see LookupsRide): that poll's due time.
  std::optional<TimePoint> lookups_held_until() const { return lookups_held_until_; }

  // The order in which states are served.
  static constexpr domain::JobState kServiceOrder[] = {
      domain::JobState::kPoll, domain::JobState::kComment, domain::JobState::kLookup,
      domain::JobState::kUpload, domain::JobState::kRelookup};

 private:
  enum class Next { kFinish, kRelease, kFatal };
  struct Outcome {
    Next next = Next::kFinish;
    Error fatal{ErrorCode::kInternal, ""};
  };

  Result<bool> TryState(domain::JobState state, std::stop_token stop);
  // How early a poll may ride along in a v2 poll request that has room: half of poll_min
  // (the schedule never spaces two polls of a sample closer than poll_min).
  Duration PollSlack() const { return std::chrono::duration_cast<Duration>(config_.poll_min) / 2; }
  // An upload starts only if the day's (and month's) quota still covers it, its comment
  // and its polls, on top of what the samples already uploaded still need; otherwise its
  // polls would wait for the next day and the verdict with them.
  static constexpr std::int64_t kUploadCost = 5;    // upload, comment, up to 3 polls
  static constexpr std::int64_t kInFlightCost = 4;  // comment and polls still to come
  Result<bool> UploadHasRoom();
  // Whether due lookups (or re-lookups: `state`) wait this step. (1) A due upload of a
  // higher priority than every due lookup goes first (any API, if the quota has room for
  // it). (2) v2 with a calendar window that binds: lookups do not go on their own while a
  // poll is due within kRideWait, or while an upload is due and at least kRideShare of
  // recent lookups found unknown samples; they fill the poll requests' free slots
  // instead. A poll request rarely carries four due polls, and when the day's quota
  // limits how much gets done, every empty slot in it is a lookup that costs a request of
  // its own later. True: they wait (lookups_held_until_ is set).
  static constexpr Duration kRideWait = std::chrono::minutes(5);
  static constexpr double kRideShare = 0.75;
  static constexpr double kShareStep = 0.05;  // moving-average weight of one lookup
  Result<bool> LookupsWait(domain::JobState state);
  // ActiveCounts, asked at most once per Step (capped at kCountCap).
  static constexpr std::int64_t kCountCap = 100000;
  Result<const std::vector<domain::StateCount>*> Counts();
  // The earliest due time of `state` from this Step's counts (Counts() must have run).
  std::optional<TimePoint> NextDue(domain::JobState state) const;
  // The calendar window limits the work: `room` is less than the requests the active jobs
  // still need (lookups batched, kUploadCost per upload, kInFlightCost per sample in flight).
  Result<bool> CalendarBound(std::int64_t room);
  // Reports per file/report request: min(v2_batch_size, MaxBatch()), 1 without batching.
  int ReportBatch() const;
  // Finishes or releases each job as its outcome says.
  Result<bool> Conclude(std::vector<domain::Job>& jobs, const std::vector<Outcome>& outcomes);
  // One request for all of `jobs`: jobs[0, polls) poll their analysis, the others are
  // looked up by hash (a single job uses the plain call: GetAnalysis or GetFileReport).
  // Polls that need no request (deadline passed, no analysis) are settled without one.
  std::vector<Outcome> Request(std::vector<domain::Job>& jobs, std::size_t polls,
                               std::stop_token stop);
  Result<vt::Client::BatchAnswer> Ask(std::span<const std::string> analysis_ids,
                                      std::span<const domain::Hash> hashes);
  Outcome LookupResult(domain::Job& job, Result<domain::FileReport> report, std::stop_token stop);
  // A refresh lookup that brought no report: the job stays done, tried again later.
  Outcome RefreshMiss(domain::Job& job, const std::string& why);
  Outcome Upload(domain::Job& job);
  Outcome Comment(domain::Job& job);
  // A poll that is not worth a request (no analysis id, or past analysis_deadline): the
  // job goes to re-lookup.
  std::optional<Outcome> PollWithoutRequest(domain::Job& job);
  // The answer to a poll of `job`: the verdict, another poll later, or a re-lookup.
  Outcome PollResult(domain::Job& job, Result<domain::Analysis> analysis, std::stop_token stop);
  Outcome StoreReport(domain::Job& job, const domain::FileReport& report, std::stop_token stop);
  // Errors common to every request (quota, rate, auth, transient, rejected).
  Outcome CommonError(domain::Job& job, const Error& error);
  Outcome Fail(domain::Job& job, std::string reason);
  Outcome Retry(domain::Job& job, const Error& error);
  void MoveTo(domain::Job& job, domain::JobState state, TimePoint when);
  // Counts the request in the quota log; false if it could not be persisted.
  Status Spend(domain::Job& job, std::string_view kind);
  // After the answer: the request counts from now in the sliding windows.
  void Settle();

  PipelineConfig config_;
  EngineDeps d_;
  TimePoint now_{};
  std::optional<TimePoint> uploads_held_until_;
  std::optional<TimePoint> lookups_held_until_;
  double unknown_share_ = 0;  // moving average: lookups of new samples that found none
  std::optional<std::vector<domain::StateCount>> counts_;  // this Step's, once asked
};

}  // namespace honeyvt::pipeline
