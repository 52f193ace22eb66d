// StateDb: claiming, finishing and releasing steps; reclaiming leases; listing jobs.
#include <string>

#include "core/strings.h"
#include "store/state_db.h"
#include "store/state_db_rows.h"

namespace honeyvt::store {

using domain::Job;
using domain::JobState;
using domain::JobStateName;
using domain::Lease;

Result<Job> ReadJob(const Statement& row) {
  Job job;
  job.id = row.Int64(0);
  job.md5 = row.Text(1);
  job.sha1 = row.Text(2);
  job.sha256 = row.Text(3);
  job.path = row.Text(4);
  job.source = row.Text(5);
  job.priority = static_cast<int>(row.Int64(6));
  auto state = domain::ParseJobState(row.TextView(7));
  if (!state) {
    return MakeError(ErrorCode::kCorrupt,
                     "job " + std::to_string(job.id) + " has unknown state '" + row.Text(7) + "'");
  }
  job.state = *state;
  job.attempts = static_cast<int>(row.Int64(8));
  job.polls = static_cast<int>(row.Int64(9));
  job.requests = row.Int64(10);
  job.next_action_at = FromUnixMillis(row.Int64(11));
  job.last_error = row.Text(12);
  job.analysis_id = row.Text(13);
  job.analysis_permalink = row.Text(14);
  if (!row.IsNull(15)) job.uploaded_at = FromUnixMillis(row.Int64(15));
  job.created_at = FromUnixMillis(row.Int64(16));
  job.updated_at = FromUnixMillis(row.Int64(17));
  job.root = row.Text(18);
  for (auto& r : Split(row.TextView(19), '\n')) {
    if (!r.empty()) job.seen_in.push_back(std::move(r));
  }
  if (!row.IsNull(20)) job.size = row.Int64(20);
  job.may_upload = row.Int64(21) != 0;
  job.may_comment = row.Int64(22) != 0;
  return job;
}

Result<std::vector<Job>> StateDb::Claim(JobState state, TimePoint now, int limit,
                                        const Lease& lease) {
  std::vector<Job> jobs;
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  // New samples: the most recently captured first (an operator cares most about what the
  // honeypot caught last; under a backlog it keeps their wait short). Every other step:
  // the earliest due first.
  const char* order = state == JobState::kLookup ? "priority DESC, created_at DESC, id DESC"
                                                 : "priority DESC, next_action_at, id";
  ASSIGN_OR_RETURN(Statement select,
                   db_.Prepare("SELECT " + std::string(kJobColumns) +
                               " FROM jobs WHERE state = ? AND lease_owner IS NULL "
                               "AND next_action_at <= ? ORDER BY " +
                               order + " LIMIT ?"));
  select.BindAll(JobStateName(state), ToUnixMillis(now), limit);
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(Job job, ReadJob(select));
    jobs.push_back(std::move(job));
  }
  ASSIGN_OR_RETURN(Statement lease_stmt,
                   db_.Prepare("UPDATE jobs SET lease_owner = ?, lease_expires = ? WHERE id = ?"));
  for (const Job& job : jobs) {
    lease_stmt.Reset();
    lease_stmt.BindAll(lease.owner, ToUnixMillis(lease.expires), job.id);
    RETURN_IF_ERROR(lease_stmt.Run());
  }
  RETURN_IF_ERROR(tx.Commit());
  return jobs;
}

Status StateDb::Finish(const Job& job, const Lease& lease, TimePoint now) {
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(
      Statement update,
      db_.Prepare("UPDATE jobs SET state = ?, attempts = ?, polls = ?, requests = ?, "
                  "next_action_at = ?, last_error = ?, analysis_id = ?, analysis_permalink = ?, "
                  "uploaded_at = ?, updated_at = ?, lease_owner = NULL, lease_expires = NULL "
                  "WHERE id = ? AND lease_owner = ?"));
  std::optional<std::int64_t> uploaded;
  if (job.uploaded_at) uploaded = ToUnixMillis(*job.uploaded_at);
  update.BindAll(JobStateName(job.state), job.attempts, job.polls, job.requests,
                 ToUnixMillis(job.next_action_at), job.last_error, job.analysis_id,
                 job.analysis_permalink, uploaded, ToUnixMillis(now), job.id, lease.owner);
  RETURN_IF_ERROR(update.Run());
  if (db_.Changes() != 1) {
    return MakeError(ErrorCode::kInternal,
                     "lease lost on job " + std::to_string(job.id) + " (reclaimed by another run)");
  }
  // Hashes learnt from a report; another job may already hold one (same sample enqueued
  // under two hashes): then this job simply keeps it unset.
  static constexpr std::string_view kFill[3] = {
      "UPDATE OR IGNORE jobs SET md5 = ?2 WHERE id = ?1 AND md5 IS NULL",
      "UPDATE OR IGNORE jobs SET sha1 = ?2 WHERE id = ?1 AND sha1 IS NULL",
      "UPDATE OR IGNORE jobs SET sha256 = ?2 WHERE id = ?1 AND sha256 IS NULL"};
  const std::string* values[3] = {&job.md5, &job.sha1, &job.sha256};
  for (int i = 0; i < 3; ++i) {
    if (values[i]->empty()) continue;
    ASSIGN_OR_RETURN(Statement fill, db_.Prepare(kFill[i]));
    fill.BindAll(job.id, *values[i]);
    RETURN_IF_ERROR(fill.Run());
  }
  return tx.Commit();
}

Status StateDb::Release(std::int64_t id, const Lease& lease) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("UPDATE jobs SET lease_owner = NULL, lease_expires = NULL "
                               "WHERE id = ? AND lease_owner = ?"));
  stmt.BindAll(id, lease.owner);
  return stmt.Run();
}

Result<std::int64_t> StateDb::ReclaimLeases(
    TimePoint now, const std::function<bool(std::int64_t owner)>& owner_alive) {
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(
      Statement owners,
      db_.Prepare("SELECT DISTINCT lease_owner FROM jobs WHERE lease_owner IS NOT NULL"));
  std::vector<std::int64_t> dead;
  while (true) {
    ASSIGN_OR_RETURN(bool row, owners.Step());
    if (!row) break;
    if (!owner_alive(owners.Int64(0))) dead.push_back(owners.Int64(0));
  }
  std::int64_t freed = 0;
  ASSIGN_OR_RETURN(Statement free_owner,
                   db_.Prepare("UPDATE jobs SET lease_owner = NULL, lease_expires = NULL "
                               "WHERE lease_owner = ?"));
  for (std::int64_t owner : dead) {
    free_owner.Reset();
    free_owner.Bind(1, owner);
    RETURN_IF_ERROR(free_owner.Run());
    freed += db_.Changes();
  }
  ASSIGN_OR_RETURN(Statement expired,
                   db_.Prepare("UPDATE jobs SET lease_owner = NULL, lease_expires = NULL "
                               "WHERE lease_owner IS NOT NULL AND lease_expires < ?"));
  expired.Bind(1, ToUnixMillis(now));
  RETURN_IF_ERROR(expired.Run());
  freed += db_.Changes();
  RETURN_IF_ERROR(tx.Commit());
  return freed;
}

Result<std::vector<domain::StateCount>> StateDb::Counts() {
  std::vector<domain::StateCount> out;
  for (int i = 0; i < domain::kJobStateCount; ++i) {
    out.push_back({static_cast<JobState>(i), 0, std::nullopt});
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT state, count(*), "
                               "min(CASE WHEN lease_owner IS NULL THEN next_action_at END) "
                               "FROM jobs GROUP BY state"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    auto state = domain::ParseJobState(stmt.TextView(0));
    if (!state) return MakeError(ErrorCode::kCorrupt, "unknown job state '" + stmt.Text(0) + "'");
    auto& entry = out[static_cast<std::size_t>(*state)];
    entry.count = stmt.Int64(1);
    if (!stmt.IsNull(2)) entry.next_due = FromUnixMillis(stmt.Int64(2));
  }
  return out;
}

Result<std::vector<domain::StateCount>> StateDb::ActiveCounts(std::int64_t cap) {
  static constexpr JobState kActive[] = {JobState::kLookup, JobState::kUpload, JobState::kComment,
                                         JobState::kPoll, JobState::kRelookup};
  ASSIGN_OR_RETURN(
      Statement count,
      db_.Prepare("SELECT count(*) FROM (SELECT 1 FROM jobs WHERE state = ? LIMIT ?)"));
  // jobs_due_idx (partial, unleased rows): min() is one index probe.
  ASSIGN_OR_RETURN(Statement due, db_.Prepare("SELECT min(next_action_at) FROM jobs "
                                              "WHERE state = ? AND lease_owner IS NULL"));
  std::vector<domain::StateCount> out;
  for (JobState state : kActive) {
    domain::StateCount c{state, 0, std::nullopt};
    count.Reset();
    count.BindAll(JobStateName(state), cap);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) c.count = count.Int64(0);
    due.Reset();
    due.Bind(1, JobStateName(state));
    ASSIGN_OR_RETURN(row, due.Step());
    if (row && !due.IsNull(0)) c.next_due = FromUnixMillis(due.Int64(0));
    out.push_back(c);
  }
  return out;
}

Result<std::optional<int>> StateDb::TopDuePriority(JobState state, TimePoint now) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT priority FROM jobs WHERE state = ? AND lease_owner IS NULL "
                               "AND next_action_at <= ? ORDER BY priority DESC LIMIT 1"));
  stmt.BindAll(JobStateName(state), ToUnixMillis(now));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<int>();
  return std::optional<int>(static_cast<int>(stmt.Int64(0)));
}

Result<std::vector<Job>> StateDb::List(JobState state, int limit) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT " + std::string(kJobColumns) +
                               " FROM jobs WHERE state = ? ORDER BY updated_at DESC, id LIMIT ?"));
  stmt.BindAll(JobStateName(state), limit);
  std::vector<Job> jobs;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(Job job, ReadJob(stmt));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Result<std::optional<Job>> StateDb::Find(std::string_view hash) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT " + std::string(kJobColumns) +
                               " FROM jobs WHERE md5 = ?1 OR sha1 = ?1 OR sha256 = ?1 LIMIT 1"));
  stmt.Bind(1, hash);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<Job>();
  ASSIGN_OR_RETURN(Job job, ReadJob(stmt));
  return std::optional<Job>(std::move(job));
}

Result<std::int64_t> StateDb::Retry(domain::RetryScope scope, std::string_view hash,
                                    TimePoint now) {
  std::string where;
  switch (scope) {
    case domain::RetryScope::kFailed:
      where = "state = 'failed'";
      break;
    case domain::RetryScope::kAll:
      where = "state IN ('failed', 'relookup')";
      break;
    case domain::RetryScope::kHash:
      where = "(md5 = ?2 OR sha1 = ?2 OR sha256 = ?2)";
      break;
  }
  // `where` is one of the constants above; the hash is bound.
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("UPDATE jobs SET state = 'lookup', attempts = 0, polls = 0, "
                               "last_error = '', next_action_at = ?1, updated_at = ?1 WHERE " +
                               where + " AND lease_owner IS NULL"));
  stmt.Bind(1, ToUnixMillis(now));
  if (scope == domain::RetryScope::kHash) stmt.Bind(2, hash);
  RETURN_IF_ERROR(stmt.Run());
  return static_cast<std::int64_t>(db_.Changes());
}

}  // namespace honeyvt::store
