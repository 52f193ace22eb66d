#pragma once
// Observability at the pipeline's edges, without touching the state machine:
//
//  - JournaledJobStore decorates the JobStore the engine uses. It remembers each claimed
//    job and, when the step finishes, writes one `job_events` row (store/journal.h) that
//    says what the step did: the step (from the state before), a bounded outcome (from the
//    state after and the error prefix), the requests it cost and the polls so far. This is
//    the sample's timeline on the dashboard and the source of /metrics' queue counters.
//  - RequestLog is the vt::RequestObserver the client reports every request to; it
//    appends `vt_requests` rows (requests by endpoint and status, latency).
//  - MeteredSink times each report write into logsql (lock waits behind dionaea) and
//    counts busy failures.
//
// Journal writes are best effort: an error is logged and the pipeline goes on.
// Thread safety: like the objects they decorate (the daemon's one thread).

#include <filesystem>
#include <map>
#include <memory>

#include "core/metrics.h"
#include "domain/job_store.h"
#include "pipeline/report_sink.h"
#include "store/sqlite.h"
#include "vt/metered_transport.h"

namespace honeyvt::pipeline {

// In-process metrics the daemon records (families registered by the web module; any
// pointer may be null).
struct Instruments {
  Counter* quota_wait_seconds = nullptr;  // honeyvt_vt_quota_wait_seconds_total
  Histogram* logsql_write = nullptr;      // honeyvt_logsql_write_duration_seconds
  Counter* logsql_busy = nullptr;         // honeyvt_logsql_busy_total
};

// What a step did, from the job before and after it (exposed for tests).
struct StepOutcome {
  std::string step;
  std::string outcome;
};
StepOutcome DescribeStep(const domain::Job& before, const domain::Job& after);

class JournaledJobStore final : public domain::JobStore {
 public:
  // `journal` is a connection to the state database used only by this thread.
  JournaledJobStore(domain::JobStore& inner, store::Database& journal)
      : inner_(inner), journal_(journal) {}

  Result<domain::EnqueueCounts> Enqueue(std::span<const domain::EnqueueItem> items,
                                        TimePoint now) override {
    return inner_.Enqueue(items, now);
  }
  Result<std::vector<domain::Job>> Claim(domain::JobState state, TimePoint now, int limit,
                                         const domain::Lease& lease) override;
  Status Finish(const domain::Job& job, const domain::Lease& lease, TimePoint now) override;
  Status Release(const domain::Job& job, const domain::Lease& lease) override;
  Result<std::int64_t> ReclaimLeases(
      TimePoint now, const std::function<bool(std::int64_t owner)>& owner_alive) override {
    return inner_.ReclaimLeases(now, owner_alive);
  }
  Result<std::vector<domain::StateCount>> Counts() override { return inner_.Counts(); }
  Result<std::vector<domain::StateCount>> ActiveCounts(std::int64_t cap) override {
    return inner_.ActiveCounts(cap);
  }
  Result<std::optional<int>> TopDuePriority(domain::JobState state, TimePoint now) override {
    return inner_.TopDuePriority(state, now);
  }
  Result<std::vector<domain::Job>> List(domain::JobState state, int limit) override {
    return inner_.List(state, limit);
  }
  Result<std::optional<domain::Job>> Find(std::string_view hash) override {
    return inner_.Find(hash);
  }
  Result<std::int64_t> Retry(domain::RetryScope scope, std::string_view hash,
                             TimePoint now) override {
    return inner_.Retry(scope, hash, now);
  }

 private:
  domain::JobStore& inner_;
  store::Database& journal_;
  std::map<std::int64_t, domain::Job> claimed_;  // by id, until finished or released
};

class RequestLog final : public vt::RequestObserver {
 public:
  // Records into the state database at `state`, through its own connection, opened (and
  // the file migrated) at the first request.
  explicit RequestLog(std::filesystem::path state) : path_(std::move(state)) {}
  void OnRequest(const vt::RequestRecord& record) override;

 private:
  std::filesystem::path path_;
  std::optional<store::Database> db_;
  bool warned_ = false;
};

class MeteredSink final : public ReportSink {
 public:
  MeteredSink(ReportSink& inner, Clock& clock, Instruments instruments)
      : inner_(inner), clock_(clock), instruments_(instruments) {}
  Status Store(const domain::Job& job, const domain::FileReport& report, TimePoint fetched_at,
               std::stop_token stop) override;

 private:
  ReportSink& inner_;
  Clock& clock_;
  Instruments instruments_;
};

}  // namespace honeyvt::pipeline
