// Engine: claiming, executing and finishing steps; the error policy shared by all steps.
#include "pipeline/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "core/bidi.h"

namespace honeyvt::pipeline {

using domain::Job;
using domain::JobState;

Result<bool> Engine::Step(std::stop_token stop) {
  now_ = d_.clock->Now();
  counts_.reset();
  uploads_held_until_.reset();
  lookups_held_until_.reset();
  if (!d_.quota->Available(now_)) return false;
  const bool refresh = config_.refresh && d_.quota->Spare(now_);
  for (JobState state : kServiceOrder) {
    if (state == JobState::kUpload) {
      ASSIGN_OR_RETURN(bool room, UploadHasRoom());
      if (!room) continue;
    }
    if (state == JobState::kLookup || state == JobState::kRelookup) {
      ASSIGN_OR_RETURN(bool wait, LookupsWait(state));
      if (wait) continue;
    }
    ASSIGN_OR_RETURN(bool worked, TryState(state, stop));
    if (worked) return true;
  }
  // Done jobs are due for a refresh at their next_action_at (old or weakly detected
  // reports); served only with quota nothing else wanted.
  if (refresh) return TryState(JobState::kDone, stop);
  return false;
}

Result<bool> Engine::TryState(JobState state, std::stop_token stop) {
  const bool lookup =
      state == JobState::kLookup || state == JobState::kRelookup || state == JobState::kDone;
  const bool poll = state == JobState::kPoll;
  const int limit = lookup || poll ? ReportBatch() : 1;
  const domain::Lease lease{d_.owner, now_ + config_.lease};
  ASSIGN_OR_RETURN(std::vector<Job> jobs, d_.jobs->Claim(state, now_, limit, lease));
  if (jobs.empty()) return false;
  if (lookup) return Conclude(jobs, Request(jobs, 0, stop));
  if (poll) {
    // Room left in the polls' request: first polls falling due within PollSlack() (they
    // would otherwise cost a request of their own moments later), then due lookups of new
    // samples, then re-lookups, ride along at no extra cost.
    if (const int room = limit - static_cast<int>(jobs.size()); room > 0) {
      ASSIGN_OR_RETURN(std::vector<Job> soon,
                       d_.jobs->Claim(JobState::kPoll, now_ + PollSlack(), room, lease));
      for (Job& j : soon) jobs.push_back(std::move(j));
    }
    const std::size_t polls = jobs.size();
    for (JobState rider : {JobState::kLookup, JobState::kRelookup}) {
      const int room = limit - static_cast<int>(jobs.size());
      if (room <= 0) break;
      ASSIGN_OR_RETURN(std::vector<Job> riders, d_.jobs->Claim(rider, now_, room, lease));
      for (Job& j : riders) jobs.push_back(std::move(j));
    }
    return Conclude(jobs, Request(jobs, polls, stop));
  }
  std::vector<Outcome> outcomes;
  if (state == JobState::kUpload) {
    outcomes.push_back(Upload(jobs[0]));
  } else {
    outcomes.push_back(Comment(jobs[0]));
  }
  return Conclude(jobs, outcomes);
}

Result<bool> Engine::Conclude(std::vector<Job>& jobs, const std::vector<Outcome>& outcomes) {
  const domain::Lease lease{d_.owner, now_ + config_.lease};
  std::optional<Error> fatal;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Outcome& o = outcomes[i];
    if (o.next == Next::kFinish) {
      RETURN_IF_ERROR(d_.jobs->Finish(jobs[i], lease, d_.clock->Now()));
      SPDLOG_DEBUG("job {} ({}) -> {}", jobs[i].id, jobs[i].LookupHash(),
                   domain::JobStateName(jobs[i].state));
    } else {
      RETURN_IF_ERROR(d_.jobs->Release(jobs[i].id, lease));
      if (o.next == Next::kFatal) fatal = o.fatal;
    }
  }
  if (fatal) return *fatal;
  return true;
}

Status Engine::Spend(Job& job, std::string_view kind) {
  ++job.requests;
  return d_.quota->Record(now_, kind);
}

void Engine::Settle() {
  if (Status st = d_.quota->Settle(now_, d_.clock->Now()); !st) {
    spdlog::warn("could not record the request's answer time: {}", st.error().ToString());
  }
}

void Engine::MoveTo(Job& job, JobState state, TimePoint when) {
  if (job.state != state) job.attempts = 0;
  job.state = state;
  job.next_action_at = when;
}

Engine::Outcome Engine::Fail(Job& job, std::string reason) {
  spdlog::warn("sample {} failed: {}", job.LookupHash(), EscapeForLog(reason));
  job.last_error = std::move(reason);
  job.state = JobState::kFailed;
  job.next_action_at = now_;
  return {};
}

Engine::Outcome Engine::Retry(Job& job, const Error& error) {
  ++job.attempts;
  if (job.attempts >= config_.max_attempts) {
    return Fail(job,
                "gave up after " + std::to_string(job.attempts) + " attempts: " + error.ToString());
  }
  auto delay = d_.backoff->Delay(job.attempts, config_.backoff_base, config_.backoff_cap);
  if (error.retry_after) delay = std::max(delay, *error.retry_after);
  job.last_error = error.ToString();
  job.next_action_at = now_ + delay;
  spdlog::info("sample {}: {} (attempt {}, retry in {} s)", job.LookupHash(), error.ToString(),
               job.attempts, delay.count());
  return {};
}

Engine::Outcome Engine::CommonError(Job& job, const Error& error) {
  switch (error.code) {
    case ErrorCode::kQuotaExceeded:
      d_.quota->OnQuotaExceeded(now_, error.retry_after);
      spdlog::warn("VirusTotal says the quota is used up; pausing until {} s from now",
                   std::chrono::duration_cast<std::chrono::seconds>(d_.quota->paused_until() - now_)
                       .count());
      return {Next::kRelease};
    case ErrorCode::kRateLimited:
      d_.quota->PauseUntil(now_ + error.retry_after.value_or(config_.rate_limit_pause));
      spdlog::warn("VirusTotal rate-limits us; pausing");
      return {Next::kRelease};
    case ErrorCode::kAuthFailed:
      return {Next::kFatal,
              MakeError(ErrorCode::kAuthFailed,
                        "VirusTotal rejected the API key (" + error.message +
                            "); check HONEYVT_API_KEY or api_key_file. Every job is kept; "
                            "restart honeyvt run once the key is fixed")};
    case ErrorCode::kCancelled:
      return {Next::kRelease};
    case ErrorCode::kForbidden:
    case ErrorCode::kBadRequest:
      return Fail(job, "rejected by VirusTotal: " + error.ToString());
    case ErrorCode::kTooLarge:
      return Fail(job, "too large: " + error.message);
    default:
      return Retry(job, error);
  }
}

Engine::Outcome Engine::StoreReport(Job& job, const domain::FileReport& report,
                                    std::stop_token stop) {
  Status stored = d_.sink->Store(report, now_, stop);
  if (!stored) {
    if (stored.error().code == ErrorCode::kCancelled) return {Next::kRelease};
    // Not stored: look the sample up again after a backoff (the write is idempotent).
    return Retry(job, stored.error());
  }
  if (job.md5.empty()) job.md5 = report.md5;
  if (job.sha1.empty()) job.sha1 = report.sha1;
  if (job.sha256.empty()) job.sha256 = report.sha256;
  job.last_error.clear();
  const bool weak = report.Positives() < config_.refresh_below;
  const bool refreshed = job.state == JobState::kDone;
  MoveTo(job, JobState::kDone, now_ + (weak ? config_.refresh_weak_after : config_.refresh_age));
  if (refreshed) {
    spdlog::info("sample {}: refreshed, {}/{} engines detect it", report.md5, report.Positives(),
                 report.Total());
  } else {
    spdlog::info("sample {}: {}/{} engines detect it", report.md5, report.Positives(),
                 report.Total());
  }
  return {};
}

}  // namespace honeyvt::pipeline
