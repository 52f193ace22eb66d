#pragma once
// SampleSink over the pipeline's durable queue (domain::JobStore, SQLite: store::StateDb).
//
// Each OfferBatch is one JobStore::Enqueue call, i.e. one transaction; the store's
// enqueue is idempotent (one job per sample; a repeat may raise the priority or add a
// path or hashes), so offering again is always safe.
//
// Priority: samples captured live (follower, watcher) get kLivePriority and go before the
// backlog; backlog and imported samples get their download count (most downloaded first),
// capped below kLivePriority.
//
// What may still be done for a sample taken over from dionaea's vtcache (SampleIntent:
// no upload, no second comment, an earlier scan id) has no column in the job table; when
// `intent_db` is given it is recorded in the table honeyvt_ingest_intent (md5 primary key)
// of that database (the state database), for the pipeline to consult before an upload or
// comment. Thread-safe (one mutex around the store).

#include <mutex>

#include "core/clock.h"
#include "domain/job_store.h"
#include "ingest/sample_sink.h"
#include "store/sqlite.h"

namespace honeyvt::ingest {

inline constexpr int kLivePriority = 1'000'000;
int PriorityOf(const SampleCandidate& candidate);
domain::EnqueueItem ToEnqueueItem(const SampleCandidate& candidate);

// Creates honeyvt_ingest_intent if missing and records one sample's restrictions.
Status RecordIntent(store::Database& db, const domain::Hash& md5, const SampleIntent& intent,
                    std::string_view origin);
// The recorded intent of `md5`, if any.
Result<std::optional<SampleIntent>> LoadIntent(store::Database& db, const domain::Hash& md5);

class JobStoreSink final : public SampleSink {
 public:
  JobStoreSink(domain::JobStore& jobs, Clock& clock, store::Database* intent_db = nullptr)
      : jobs_(jobs), clock_(clock), intent_db_(intent_db) {}
  Result<OfferOutcome> Offer(const SampleCandidate& candidate) override;
  Result<OfferCounts> OfferBatch(std::span<const SampleCandidate> candidates) override;

 private:
  domain::JobStore& jobs_;  // guarded by mu_
  Clock& clock_;
  store::Database* intent_db_;  // guarded by mu_
  std::mutex mu_;
};

}  // namespace honeyvt::ingest
