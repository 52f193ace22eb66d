#include "pipeline/journal.h"

#include <spdlog/spdlog.h>

#include "store/journal.h"
#include "store/state_db.h"

namespace honeyvt::pipeline {
namespace {

using domain::JobState;

std::string StepName(JobState s) {
  switch (s) {
    case JobState::kDone:
      return "refresh";
    default:
      return std::string(domain::JobStateName(s));
  }
}

std::string FailureKind(const std::string& reason) {
  if (reason.rfind(domain::kMissingFileReason, 0) == 0) return "missing_file";
  if (reason.find("too large") != std::string::npos) return "too_large";
  if (reason.rfind("gave up", 0) == 0) return "gave_up";
  if (reason.rfind("rejected", 0) == 0) return "rejected";
  if (reason.rfind("skipped", 0) == 0) return "skipped";
  return "failed";
}

}  // namespace

StepOutcome DescribeStep(const domain::Job& before, const domain::Job& after) {
  StepOutcome o{StepName(before.state), ""};
  const JobState from = before.state, to = after.state;
  if (to == JobState::kFailed) {
    o.outcome = FailureKind(after.last_error);
  } else if (to == from && after.attempts > before.attempts) {
    o.outcome = "retry";
  } else if (from == JobState::kPoll) {
    o.outcome = to == JobState::kPoll       ? "pending"
                : to == JobState::kRelookup ? "deadline"
                                            : "report";
  } else if (from == JobState::kUpload) {
    o.outcome = "uploaded";
  } else if (from == JobState::kComment) {
    o.outcome = "commented";
  } else if (from == JobState::kDone) {
    o.outcome = after.requests > before.requests ? "refreshed" : "kept";
  } else {  // lookup, relookup
    o.outcome = to == JobState::kDone       ? "report"
                : to == JobState::kUpload   ? "not_found"
                : to == JobState::kRelookup ? "not_ready"
                                            : std::string(domain::JobStateName(to));
  }
  return o;
}

Result<std::vector<domain::Job>> JournaledJobStore::Claim(domain::JobState state, TimePoint now,
                                                          int limit, const domain::Lease& lease) {
  ASSIGN_OR_RETURN(std::vector<domain::Job> jobs, inner_.Claim(state, now, limit, lease));
  for (const auto& j : jobs) claimed_[j.id] = j;
  return jobs;
}

Status JournaledJobStore::Finish(const domain::Job& job, const domain::Lease& lease,
                                 TimePoint now) {
  RETURN_IF_ERROR(inner_.Finish(job, lease, now));
  auto it = claimed_.find(job.id);
  if (it == claimed_.end()) return OkStatus();
  const domain::Job before = std::move(it->second);
  claimed_.erase(it);
  const StepOutcome o = DescribeStep(before, job);
  store::JobEventRow row;
  row.job = job.id;
  row.at = now;
  row.step = o.step;
  row.outcome = o.outcome;
  row.state = std::string(domain::JobStateName(job.state));
  row.requests = job.requests - before.requests;
  row.polls = job.polls;
  if (job.state == JobState::kDone && before.state != JobState::kDone) {
    row.age_ms = store::ToUnixMillis(now) - store::ToUnixMillis(job.created_at);
  }
  if (o.outcome == "retry" || job.state == JobState::kFailed) row.detail = job.last_error;
  if (Status st = store::RecordJobEvent(journal_, row); !st) {
    spdlog::warn("could not record the step of job {} for the dashboard: {}", job.id,
                 st.error().ToString());
  }
  return OkStatus();
}

Status JournaledJobStore::Release(const domain::Job& job, const domain::Lease& lease) {
  claimed_.erase(job.id);
  return inner_.Release(job, lease);
}

void RequestLog::OnRequest(const vt::RequestRecord& r) {
  Status st = OkStatus();
  if (!db_) {
    auto opened = store::StateDb::Open(path_);  // creates and migrates
    if (opened) {
      db_.emplace(std::move(opened->db()));
    } else {
      st = opened.error();
    }
  }
  if (db_) {
    store::VtRequestRow row{r.at, r.api, r.endpoint, r.code, r.duration.count(), r.upload_bytes};
    st = store::RecordVtRequest(*db_, row);
  }
  if (!st && !warned_) {
    warned_ = true;
    spdlog::warn("could not record a VirusTotal request for the dashboard: {}",
                 st.error().ToString());
  }
}

Status MeteredSink::Store(const domain::Job& job, const domain::FileReport& report,
                          TimePoint fetched_at, std::stop_token stop) {
  const TimePoint start = clock_.Now();
  Status st = inner_.Store(job, report, fetched_at, stop);
  if (instruments_.logsql_write != nullptr) {
    instruments_.logsql_write->Observe(std::chrono::duration<double>(clock_.Now() - start).count());
  }
  if (!st && st.error().code == ErrorCode::kBusy && instruments_.logsql_busy != nullptr) {
    instruments_.logsql_busy->Inc();
  }
  return st;
}

}  // namespace honeyvt::pipeline
