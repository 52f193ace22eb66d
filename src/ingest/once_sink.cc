#include "ingest/once_sink.h"

namespace honeyvt::ingest {

bool OnceSink::IsNews(const SampleCandidate& candidate) const {
  auto it = offered_.find(candidate.md5.hex());
  return it == offered_.end() || (!it->second && candidate.file_path.has_value());
}

void OnceSink::Remember(const SampleCandidate& candidate) {
  if (offered_.size() >= capacity_) offered_.clear();
  offered_[candidate.md5.hex()] = candidate.file_path.has_value();
}

Result<OfferOutcome> OnceSink::Offer(const SampleCandidate& candidate) {
  std::lock_guard lock(mu_);
  if (!IsNews(candidate)) return OfferOutcome::kKnown;
  ASSIGN_OR_RETURN(OfferOutcome outcome, inner_.Offer(candidate));
  Remember(candidate);
  return outcome;
}

Result<OfferCounts> OnceSink::OfferBatch(std::span<const SampleCandidate> candidates) {
  std::lock_guard lock(mu_);
  std::vector<SampleCandidate> news;
  OfferCounts counts;
  for (const auto& c : candidates) {
    if (IsNews(c)) {
      news.push_back(c);
    } else {
      ++counts.known;
    }
  }
  if (news.empty()) return counts;
  ASSIGN_OR_RETURN(OfferCounts inner, inner_.OfferBatch(news));
  for (const auto& c : news) Remember(c);
  counts.added += inner.added;
  counts.updated += inner.updated;
  counts.known += inner.known;
  return counts;
}

}  // namespace honeyvt::ingest
