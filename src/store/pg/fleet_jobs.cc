// FleetDb as the pipeline's domain::JobStore: one queue for the whole fleet.
#include <algorithm>

#include "store/pg/fleet_db.h"
#include "store/pg/transaction.h"

namespace honeyvt::pg {

using domain::Job;
using domain::JobState;
using domain::JobStateName;

namespace {

// Items per honeyvt.enqueue call; a larger batch is several calls in one transaction.
constexpr std::size_t kEnqueueChunk = 5000;

// The job_rows column list, for queries that read jobs without claiming them.
constexpr std::string_view kJobRows =
    "SELECT r.* FROM honeyvt.job_rows(ARRAY(SELECT j.id FROM honeyvt.jobs j ";

std::int64_t LeaseMicros(const domain::Lease& lease, TimePoint now) {
  return std::max<std::int64_t>(0, Micros(lease.expires) - Micros(now));
}

}  // namespace

Result<domain::EnqueueCounts> FleetDb::Enqueue(std::span<const domain::EnqueueItem> items,
                                               TimePoint now) {
  for (const auto& item : items) {
    if (item.md5.empty() && item.sha1.empty() && item.sha256.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "enqueue: an item has no hash");
    }
  }
  RETURN_IF_ERROR(EnsureConnected());
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn_));
  domain::EnqueueCounts counts;
  for (std::size_t start = 0; start < items.size(); start += kEnqueueChunk) {
    const auto chunk = items.subspan(start, std::min(kEnqueueChunk, items.size() - start));
    std::vector<std::string> md5, sha1, sha256, path, source, root, size, may_upload, may_comment;
    std::vector<std::int64_t> priority;
    for (const auto& it : chunk) {
      if (it.root.find('\n') != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "enqueue: a folder name with a newline");
      }
      md5.push_back(it.md5);
      sha1.push_back(it.sha1);
      sha256.push_back(it.sha256);
      path.push_back(it.path);
      source.push_back(it.source);
      priority.push_back(it.priority);
      root.push_back(it.root);
      size.push_back(it.size ? std::to_string(*it.size) : "");
      may_upload.push_back(it.may_upload ? "t" : "f");
      may_comment.push_back(it.may_comment ? "t" : "f");
    }
    Params p;
    if (id_.sensor_id > 0) {
      p.Add(id_.sensor_id);
    } else {
      p.AddNull();
    }
    p.Add(now)
        .AddTextArray(md5, true)
        .AddTextArray(sha1, true)
        .AddTextArray(sha256, true)
        .AddTextArray(path)
        .AddTextArray(source)
        .AddIntArray(priority)
        .AddTextArray(root)
        .AddTextArray(size, /*empty_is_null=*/true)
        .AddTextArray(may_upload)
        .AddTextArray(may_comment);
    ASSIGN_OR_RETURN(PgResult r,
                     conn_.Prepared("enqueue",
                                    "SELECT c[1], c[2], c[3] FROM honeyvt.enqueue($1, $2, $3, $4, "
                                    "$5, $6, $7, $8, $9, $10, $11, $12) AS c",
                                    p));
    counts.added += r.Int64(0, 0);
    counts.updated += r.Int64(0, 1);
    counts.unchanged += r.Int64(0, 2);
  }
  RETURN_IF_ERROR(tx.Commit());
  return counts;
}

Result<std::vector<Job>> FleetDb::Claim(JobState state, TimePoint now, int limit,
                                        const domain::Lease& lease) {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("claim_jobs", "SELECT * FROM honeyvt.claim_jobs($1, $2, $3, $4, $5, $6)",
                       Params(lease.owner, id_.sensor_id, JobStateName(state), now, limit,
                              LeaseMicros(lease, now))));
  std::vector<Job> jobs;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(Job job, JobFromRow(r, i, 0));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Status FleetDb::Finish(const Job& job, const domain::Lease& lease, TimePoint /*now*/) {
  Params p(job.id, lease.owner, job.lease_token, id_.sensor_id, JobStateName(job.state),
           job.attempts, job.polls, job.requests, job.next_action_at, job.last_error,
           job.analysis_id, job.analysis_permalink);
  p.Add(job.uploaded_at).Add(job.md5).Add(job.sha1).Add(job.sha256);
  ASSIGN_OR_RETURN(PgResult r, Run("finish",
                                   "SELECT honeyvt.finish($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                                   "$10, $11, $12, $13, $14, $15, $16)",
                                   p));
  if (!r.Bool(0, 0)) {
    return MakeError(ErrorCode::kLeaseLost, "lease lost on job " + std::to_string(job.id) +
                                                " (it expired and another worker claimed the job)");
  }
  return OkStatus();
}

Status FleetDb::Release(const Job& job, const domain::Lease& lease) {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("release",
                       "UPDATE honeyvt.jobs SET lease_owner = NULL, lease_expires = NULL "
                       "WHERE id = $1 AND lease_owner = $2 AND lease_token = $3",
                       Params(job.id, lease.owner, job.lease_token)));
  if (r.Affected() != 1) {
    return MakeError(ErrorCode::kLeaseLost, "lease lost on job " + std::to_string(job.id));
  }
  return OkStatus();
}

Result<std::int64_t> FleetDb::ReclaimLeases(
    TimePoint now, const std::function<bool(std::int64_t owner)>& owner_alive) {
  RETURN_IF_ERROR(EnsureConnected());
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn_));
  ASSIGN_OR_RETURN(PgResult owners, conn_.Query("SELECT DISTINCT lease_owner FROM honeyvt.jobs "
                                                "WHERE lease_owner IS NOT NULL"));
  std::vector<std::int64_t> dead;
  for (int i = 0; i < owners.rows(); ++i) {
    if (!owner_alive(owners.Int64(i, 0))) dead.push_back(owners.Int64(i, 0));
  }
  ASSIGN_OR_RETURN(PgResult freed,
                   conn_.Query("UPDATE honeyvt.jobs SET lease_owner = NULL, lease_expires = NULL "
                               "WHERE lease_owner = ANY ($1::bigint[]) OR lease_expires < "
                               "honeyvt.ts($2)",
                               Params().AddIntArray(dead).Add(now)));
  RETURN_IF_ERROR(tx.Commit());
  return freed.Affected();
}

Result<std::vector<domain::StateCount>> FleetDb::Counts() {
  std::vector<domain::StateCount> out;
  for (int i = 0; i < domain::kJobStateCount; ++i) {
    out.push_back({static_cast<JobState>(i), 0, std::nullopt});
  }
  ASSIGN_OR_RETURN(PgResult r, Run("counts",
                                   "SELECT state, count(*), honeyvt.us(min(next_action_at) FILTER "
                                   "(WHERE lease_owner IS NULL)) FROM honeyvt.jobs GROUP BY state",
                                   Params()));
  for (int i = 0; i < r.rows(); ++i) {
    auto state = domain::ParseJobState(r.TextView(i, 0));
    if (!state) return MakeError(ErrorCode::kCorrupt, "unknown job state '" + r.Text(i, 0) + "'");
    auto& entry = out[static_cast<std::size_t>(*state)];
    entry.count = r.Int64(i, 1);
    entry.next_due = r.OptTime(i, 2);
  }
  return out;
}

Result<std::vector<domain::StateCount>> FleetDb::ActiveCounts(std::int64_t cap) {
  const auto steady = std::chrono::steady_clock::now();
  if (cap > 1 && counts_cache_ && counts_cache_->cap == cap &&
      steady - counts_cache_->at < std::chrono::seconds(1)) {
    return counts_cache_->counts;
  }
  // One round trip: per active state a capped count and the earliest unleased due time
  // (uploads only where this sensor may upload).
  ASSIGN_OR_RETURN(
      PgResult r,
      Run("active_counts",
          "SELECT s.state, "
          " (SELECT count(*) FROM (SELECT 1 FROM honeyvt.jobs j WHERE j.state = s.state "
          "   AND (s.state <> 'upload' OR honeyvt.may_upload(j.id, $2)) LIMIT $1) c), "
          " (SELECT honeyvt.us(min(j.next_action_at)) FROM honeyvt.jobs j "
          "   WHERE j.state = s.state AND j.lease_owner IS NULL "
          "   AND (s.state <> 'upload' OR honeyvt.may_upload(j.id, $2))) "
          "FROM unnest(ARRAY['lookup', 'upload', 'comment', 'poll', 'relookup']) "
          "WITH ORDINALITY AS s(state, ord) ORDER BY s.ord",
          Params(cap, id_.sensor_id)));
  std::vector<domain::StateCount> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({*domain::ParseJobState(r.TextView(i, 0)), r.Int64(i, 1), r.OptTime(i, 2)});
  }
  if (cap > 1) counts_cache_ = CountsCache{cap, steady, out};
  return out;
}

Result<std::optional<int>> FleetDb::TopDuePriority(JobState state, TimePoint now) {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("top_due_priority",
                       "SELECT priority FROM honeyvt.jobs WHERE state = $1 AND lease_owner IS "
                       "NULL AND next_action_at <= honeyvt.ts($2) AND ($1 <> 'upload' OR "
                       "honeyvt.may_upload(id, $3)) ORDER BY priority DESC LIMIT 1",
                       Params(JobStateName(state), now, id_.sensor_id)));
  if (r.rows() == 0) return std::optional<int>();
  return std::optional<int>(static_cast<int>(r.Int64(0, 0)));
}

Result<std::vector<Job>> FleetDb::List(JobState state, int limit) {
  ASSIGN_OR_RETURN(
      PgResult r, Run("list",
                      std::string(kJobRows) + "WHERE j.state = $1 ORDER BY j.updated_at DESC, j.id "
                                              "LIMIT $2), $3) r",
                      Params(JobStateName(state), limit, id_.sensor_id)));
  std::vector<Job> jobs;
  for (int i = 0; i < r.rows(); ++i) {
    ASSIGN_OR_RETURN(Job job, JobFromRow(r, i, 0));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Result<std::optional<Job>> FleetDb::Find(std::string_view hash) {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("find",
                       std::string(kJobRows) + "WHERE j.md5 = $1 OR j.sha1 = $1 OR j.sha256 = $1 "
                                               "ORDER BY j.id LIMIT 1), $2) r",
                       Params(hash, id_.sensor_id)));
  if (r.rows() == 0) return std::optional<Job>();
  ASSIGN_OR_RETURN(Job job, JobFromRow(r, 0, 0));
  return std::optional<Job>(std::move(job));
}

Result<std::int64_t> FleetDb::Retry(domain::RetryScope scope, std::string_view hash,
                                    TimePoint now) {
  const int kind = scope == domain::RetryScope::kFailed ? 0
                   : scope == domain::RetryScope::kAll  ? 1
                                                        : 2;
  ASSIGN_OR_RETURN(
      PgResult r,
      Run("retry",
          "WITH changed AS (UPDATE honeyvt.jobs SET state = 'lookup', attempts = 0, polls = 0, "
          "crash_count = 0, last_error = '', next_action_at = honeyvt.ts($2), "
          "updated_at = honeyvt.ts($2) WHERE lease_owner IS NULL AND CASE $1::integer "
          "WHEN 0 THEN state = 'failed' WHEN 1 THEN state IN ('failed', 'relookup') "
          "ELSE (md5 = $3 OR sha1 = $3 OR sha256 = $3) END RETURNING 1) "
          "SELECT count(*), pg_notify('honeyvt_work', '') FROM changed",
          Params(kind, now, hash)));
  return r.Int64(0, 0);
}

}  // namespace honeyvt::pg
