#pragma once
// A SampleSink decorator that forwards each sample once per process: the downloads
// follower, the directory watchers and the rescans all see the same files, and the inner
// sink (a database) should not be asked again and again. A sample offered earlier without
// a file path is forwarded once more when it arrives with one (the path is news).
// Thread-safe. Remembers at most `capacity` md5s; past that it forgets everything and
// starts over (the inner sink is idempotent, so forgetting only costs a lookup).

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ingest/sample_sink.h"

namespace honeyvt::ingest {

class OnceSink final : public SampleSink {
 public:
  explicit OnceSink(SampleSink& inner, std::size_t capacity = 200'000)
      : inner_(inner), capacity_(capacity) {}
  Result<OfferOutcome> Offer(const SampleCandidate& candidate) override;
  // Forwards the candidates not offered before in one inner OfferBatch (one transaction
  // of a job store); the others count as known.
  Result<OfferCounts> OfferBatch(std::span<const SampleCandidate> candidates) override;

 private:
  SampleSink& inner_;
  const std::size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, bool> offered_;       // md5 -> had a file path; guarded by mu_
  bool IsNews(const SampleCandidate& candidate) const;  // mu_ held
  void Remember(const SampleCandidate& candidate);      // mu_ held
};

}  // namespace honeyvt::ingest
