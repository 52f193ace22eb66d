#include "ingest/once_sink.h"

namespace honeyvt::ingest {

Result<OfferOutcome> OnceSink::Offer(const SampleCandidate& candidate) {
  std::lock_guard lock(mu_);
  const bool has_path = candidate.file_path.has_value();
  auto it = offered_.find(candidate.md5.hex());
  if (it != offered_.end() && (it->second || !has_path)) return OfferOutcome::kKnown;
  ASSIGN_OR_RETURN(OfferOutcome outcome, inner_.Offer(candidate));
  if (offered_.size() >= capacity_) offered_.clear();
  offered_[candidate.md5.hex()] = has_path;
  return outcome;
}

}  // namespace honeyvt::ingest
