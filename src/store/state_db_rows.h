#pragma once
// Internal to the state database: the column list of a job row and its decoding.

#include <string_view>

#include "domain/job.h"
#include "store/sqlite.h"

namespace honeyvt::store {

// SELECT list matching ReadJob, for queries on table `jobs`.
inline constexpr std::string_view kJobColumns =
    "id, md5, sha1, sha256, path, source, priority, state, attempts, polls, requests, "
    "next_action_at, last_error, analysis_id, analysis_permalink, uploaded_at, created_at, "
    "updated_at, root, seen_in, size, may_upload, may_comment";

// Decodes the current row of a statement selecting kJobColumns. kCorrupt on an unknown state.
Result<domain::Job> ReadJob(const Statement& row);

}  // namespace honeyvt::store
