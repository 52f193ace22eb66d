#pragma once
// Where the samples in honeyvt's state database came from, for the reports: each job's
// md5, its `source` (who queued it: `enqueue`, `watch:<dir>`, `backlog`, `logsql:...`,
// `dionaea-vtcache:<status>`) and when honeyvt first saw it (`created_at`). Reports run on
// read-only copies and beside a running daemon, so the file is opened read-only, never
// migrated or created.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace honeyvt::store {

struct JobOrigin {
  std::string md5;  // lowercase hex
  std::string source;
  double first_seen = 0;  // Unix seconds (created_at)
};

// Every job with an md5. Errors: a missing file is kNotFound; a file that is not a state
// database (no `jobs` table) is kCorrupt; the message names the file.
Result<std::vector<JobOrigin>> ReadJobOrigins(const std::filesystem::path& state);

}  // namespace honeyvt::store
