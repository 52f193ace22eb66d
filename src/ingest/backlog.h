#pragma once
// The backlog: every sample dionaea captured before honeyvt ran. Finds each distinct md5
// of logsql `downloads` that has no `virustotals` row, most downloaded first (ties: the
// earliest first download), with one GROUP BY query on a read-only connection, and offers
// them to the sink in batches (one sink transaction each). Idempotent through the sink.
//
// A sample's file is attached when `<binaries>/<md5>` is a regular file inside the
// binaries directory (not hashed here: the pipeline hashes before an upload); otherwise it
// is offered by hash only. md5 strings that are not hex are counted and skipped.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ingest/sample_sink.h"
#include "store/sqlite.h"

namespace honeyvt::ingest {

struct BacklogEntry {
  std::string md5_text;  // as stored (validated later)
  std::int64_t downloads = 0;
  double last_seen = 0;  // newest connection_timestamp, unix seconds (0 if unknown)
};

struct BacklogSummary {
  std::int64_t samples = 0;    // distinct valid md5s without a report
  std::int64_t downloads = 0;  // downloads rows they account for
  std::int64_t with_file = 0;
  std::int64_t hash_only = 0;
  std::int64_t invalid = 0;  // md5 values that are not hex, skipped
  OfferCounts offers;        // added / updated / already queued
};

// (offered so far, total)
using ProgressFn = std::function<void(std::int64_t, std::int64_t)>;

// The md5s without a virustotals row, most downloads first.
Result<std::vector<BacklogEntry>> QueryBacklog(store::Database& logsql);

Result<BacklogSummary> EnqueueBacklog(store::Database& logsql,
                                      const std::filesystem::path& binaries, SampleSink& sink,
                                      const ProgressFn& progress = nullptr,
                                      std::size_t batch_size = 5000);

}  // namespace honeyvt::ingest
