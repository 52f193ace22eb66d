#pragma once
// The pipeline's tuning, derived from Options plus timing constants that have no
// configuration key (documented in docs/pipeline.md). Durations in seconds.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/options.h"

namespace honeyvt::pipeline {

// A configured sample folder (binaries, each `watch` folder) and what may be sent for
// the samples seen in it (send_policy.h): the stricter of its own keys and the global.
struct SourcePolicy {
  std::filesystem::path root;  // canonical when the folder exists, else absolute
  UploadPolicy upload = UploadPolicy::kAlways;
  bool comment = true;
};

struct PipelineConfig {
  UploadPolicy upload = UploadPolicy::kAlways;
  // Bytes: max_upload_size capped at the API's limit (UploadLimit: 650 MB v3, 32 MB v2);
  // a larger file fails before any quota is spent.
  std::int64_t max_upload_size = 650LL * 1000 * 1000;
  bool comment = true;
  std::string comment_text;
  std::chrono::seconds comment_delay{60};
  int comment_max_attempts = 3;       // then the comment is dropped and the job is done
  int v2_batch_size = 4;              // lookups and polls per request when the client batches (v2)
  std::vector<SourcePolicy> sources;  // binaries and every watch folder

  // Claims expire after this; longer than any request may take.
  std::chrono::seconds lease{360};

  // Transient errors: attempt n waits base * 2^(n-1), capped, +-25% jitter.
  std::chrono::seconds backoff_base{30};
  std::chrono::seconds backoff_cap{3600};
  int max_attempts = 8;                       // consecutive transient failures before kFailed
  std::chrono::seconds rate_limit_pause{60};  // when a 429 carries no Retry-After

  // Adaptive polling (PollSchedule): first poll after the learned analysis time.
  std::chrono::seconds first_poll_default{180};  // before any duration was observed
  std::chrono::seconds poll_min{15};
  std::chrono::seconds poll_cap{1800};
  std::chrono::seconds analysis_deadline{3 * 3600};  // then re-look-up instead of polling
  std::chrono::seconds relookup_after_deadline{1800};
  std::chrono::seconds relookup_interval{86400};  // unknown sample that is not uploaded

  // Refresh with spare quota (QuotaGovernor::Spare): a stored report is looked up again
  // refresh_age after it was fetched, or refresh_weak_after if fewer than refresh_below
  // engines detected the sample.
  bool refresh = true;
  std::chrono::seconds refresh_age{30LL * 86400};
  int refresh_below = 5;
  std::chrono::seconds refresh_weak_after{86400};

  static PipelineConfig FromOptions(const Options& options);
};

}  // namespace honeyvt::pipeline
