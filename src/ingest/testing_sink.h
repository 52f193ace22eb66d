#pragma once
// Test-only: a SampleSink that behaves like an idempotent job store (one entry per md5;
// a later offer may add a path or hashes) and records every call. Thread-safe.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ingest/sample_sink.h"

namespace honeyvt::ingest::testing {

class RecordingSink final : public SampleSink {
 public:
  Result<OfferOutcome> Offer(const SampleCandidate& c) override {
    std::lock_guard lock(mu_);
    if (fail_next_ > 0) {
      --fail_next_;
      return MakeError(ErrorCode::kBusy, "scripted failure");
    }
    offers_.push_back(c);
    auto [it, added] = jobs_.try_emplace(c.md5.hex(), c);
    if (added) return OfferOutcome::kAdded;
    bool changed = false;
    if (!it->second.file_path && c.file_path) {
      it->second.file_path = c.file_path;
      changed = true;
    }
    if (!it->second.sha256 && c.sha256) {
      it->second.sha256 = c.sha256;
      changed = true;
    }
    if (c.downloads > it->second.downloads) {
      it->second.downloads = c.downloads;
      changed = true;
    }
    return changed ? OfferOutcome::kUpdated : OfferOutcome::kKnown;
  }
  std::map<std::string, SampleCandidate> jobs() const {
    std::lock_guard lock(mu_);
    return jobs_;
  }
  std::vector<SampleCandidate> offers() const {
    std::lock_guard lock(mu_);
    return offers_;
  }
  // Offers of one md5 so far.
  int OffersOf(const std::string& md5) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& o : offers_) n += o.md5.hex() == md5 ? 1 : 0;
    return n;
  }
  void FailNext(int n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, SampleCandidate> jobs_;  // guarded by mu_
  std::vector<SampleCandidate> offers_;          // guarded by mu_
  int fail_next_ = 0;                            // guarded by mu_
};

}  // namespace honeyvt::ingest::testing
