#include "ingest/sample_sink.h"

namespace honeyvt::ingest {

void OfferCounts::Add(OfferOutcome o) {
  switch (o) {
    case OfferOutcome::kAdded:
      ++added;
      break;
    case OfferOutcome::kUpdated:
      ++updated;
      break;
    case OfferOutcome::kKnown:
      ++known;
      break;
  }
}

Result<OfferCounts> SampleSink::OfferBatch(std::span<const SampleCandidate> candidates) {
  OfferCounts counts;
  for (const auto& c : candidates) {
    ASSIGN_OR_RETURN(OfferOutcome o, Offer(c));
    counts.Add(o);
  }
  return counts;
}

}  // namespace honeyvt::ingest
