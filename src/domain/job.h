#pragma once
// A sample's job in honeyvt's durable queue: which sample, where its file is, which step
// of the pipeline it waits for and when. Plain data shared by the pipeline (which moves
// jobs between states) and the store (which persists them). The state machine itself is
// documented in docs/pipeline.md.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace honeyvt::domain {

// Where a job stands. Active states have a next_action_at; kDone and kFailed are terminal
// (kFailed carries its reason in last_error and can be retried with `honeyvt retry`).
enum class JobState {
  kLookup,    // ask VirusTotal for the report of a new sample
  kUpload,    // VirusTotal does not know the sample; upload the file
  kComment,   // uploaded; post the comment once comment_delay has passed
  kPoll,      // uploaded (and commented); poll the analysis until it completes
  kRelookup,  // parked: look the sample up again later (upload=never, no file, deadline)
  kDone,      // a report is stored in logsql
  kFailed,    // terminal failure with a reason (missing file, too large, rejected, ...)
};
inline constexpr int kJobStateCount = 7;

std::string_view JobStateName(JobState state);
std::optional<JobState> ParseJobState(std::string_view name);
// last_error prefix of a job that failed because its file is gone; enqueueing the sample
// again with a file path revives such a job.
inline constexpr std::string_view kMissingFileReason = "missing file";
// last_error prefix of a job whose file was no longer the queued sample at upload time
// (replaced, a symlink, not a regular file); revived the same way.
inline constexpr std::string_view kNotTheSampleReason = "not the queued sample";

inline bool IsTerminal(JobState s) { return s == JobState::kDone || s == JobState::kFailed; }

struct Job {
  std::int64_t id = 0;
  std::string md5, sha1, sha256;  // lowercase hex; "" while unknown
  std::string path;               // the sample file; "" for hash-only jobs
  std::string source;             // who enqueued it ("enqueue", "dionaea", ...)
  int priority = 0;               // higher first
  JobState state = JobState::kLookup;
  int attempts = 0;           // consecutive failed tries of the current step
  int polls = 0;              // analysis polls since the upload
  std::int64_t requests = 0;  // API requests spent on this job so far
  TimePoint next_action_at{};
  std::string last_error;          // "" when the last step succeeded
  std::string analysis_id;         // after an upload
  std::string analysis_permalink;  // v2 permalink from the upload reply, may be ""
  std::optional<TimePoint> uploaded_at;
  TimePoint created_at{};
  TimePoint updated_at{};

  // Where the sample came from, recorded when it arrived (never changed by a step):
  std::string root;                  // the folder `path` lies below (canonical); "" if unknown
  std::vector<std::string> seen_in;  // every folder its file was offered from (canonical)
  std::optional<std::int64_t> size;  // bytes of the file when it was hashed
  // Restrictions recorded by an arrival (dionaea's vtcache: VirusTotal has, or may have,
  // the file; a comment was, or may have been, posted). Once false, false for good:
  // whatever path the sample arrives by later, and whatever the configuration says.
  bool may_upload = true;
  bool may_comment = true;

  // The hash to ask VirusTotal about: md5, else sha256, else sha1.
  const std::string& LookupHash() const;
};

// One sample to enqueue. At least one hash must be set; hashes are validated lowercase hex.
// A repeated enqueue merges (JobStore::Enqueue): `root` joins the job's seen_in, a path is
// attached (with its root and size) only if the job has none, and may_upload/may_comment
// can only turn false.
struct EnqueueItem {
  std::string md5, sha1, sha256;
  std::string path;
  std::string source;
  int priority = 0;
  // (Default member initializers: callers that list only the fields above stay valid.)
  std::string root{};                  // the folder `path` lies below (canonical); no newline
  std::optional<std::int64_t> size{};  // bytes of `path` when it was hashed
  bool may_upload = true;
  bool may_comment = true;
};

struct EnqueueCounts {
  std::int64_t added = 0;      // new jobs
  std::int64_t updated = 0;    // existing jobs given a higher priority, a path or hashes
  std::int64_t unchanged = 0;  // already queued as is
};

}  // namespace honeyvt::domain
