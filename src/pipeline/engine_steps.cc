// Engine: the steps of the state machine (lookup, upload, comment, poll).
#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

#include "core/bidi.h"
#include "domain/hash.h"
#include "pipeline/engine.h"
#include "pipeline/sample_upload.h"
#include "pipeline/send_policy.h"

namespace honeyvt::pipeline {

using domain::Analysis;
using domain::FileReport;
using domain::Job;
using domain::JobState;

namespace {

bool IsRequestError(ErrorCode code) {
  return code == ErrorCode::kQuotaExceeded || code == ErrorCode::kRateLimited ||
         code == ErrorCode::kAuthFailed || code == ErrorCode::kCancelled;
}

// A report VirusTotal has no finished analysis for yet (just uploaded by someone).
bool Unanalysed(const FileReport& r) { return r.last_analysis_date <= 0 || r.engines.empty(); }

std::string Permalink(int api_version, const std::string& sha256, std::int64_t date) {
  if (api_version == 2) {
    return "https://www.virustotal.com/file/" + sha256 + "/analysis/" + std::to_string(date) + "/";
  }
  return "https://www.virustotal.com/gui/file/" + sha256;
}

}  // namespace

std::vector<Engine::Outcome> Engine::Request(std::vector<Job>& jobs, std::size_t polls,
                                             std::stop_token stop) {
  std::vector<Outcome> out(jobs.size());
  std::vector<std::size_t> asked;  // the jobs in the request, in request order
  std::vector<std::string> ids;
  std::vector<domain::Hash> hashes;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (i < polls) {
      if (auto settled = PollWithoutRequest(jobs[i])) {
        out[i] = *settled;
        continue;
      }
      ids.push_back(jobs[i].analysis_id);
    } else {
      auto hash = domain::Hash::Parse(jobs[i].LookupHash());
      if (!hash) {
        // Hashes are validated on enqueue; a bad one here means a damaged database row.
        return std::vector<Outcome>(jobs.size(), Outcome{Next::kFatal, hash.error()});
      }
      hashes.push_back(*hash);
    }
    asked.push_back(i);
  }
  if (asked.empty()) return out;
  // One request, one charge; every job in it counts it (polled jobs also as a poll).
  for (std::size_t i : asked) {
    ++jobs[i].requests;
    if (i < polls) ++jobs[i].polls;
  }
  if (Status spent = d_.quota->Record(now_, ids.empty() ? "lookup" : "poll"); !spent) {
    return std::vector<Outcome>(jobs.size(), Outcome{Next::kFatal, spent.error()});
  }
  auto answer = Ask(ids, hashes);
  Settle();
  if (answer && (answer->polls.size() != ids.size() || answer->lookups.size() != hashes.size())) {
    answer = MakeError(ErrorCode::kTransient,
                       "batch request answered " +
                           std::to_string(answer->polls.size() + answer->lookups.size()) + " of " +
                           std::to_string(asked.size()) + " resources");
  }
  // Answers come back in request order: the polls first, then the lookups.
  for (std::size_t k = 0; k < asked.size(); ++k) {
    const std::size_t i = asked[k];
    if (!answer && IsRequestError(answer.error().code) && k > 0) {
      out[i] = out[asked[0]];  // one pause / fatal for the whole request
    } else if (i < polls) {
      out[i] = PollResult(
          jobs[i], answer ? std::move(answer->polls[k]) : Result<Analysis>(answer.error()), stop);
    } else {
      out[i] = LookupResult(
          jobs[i],
          answer ? std::move(answer->lookups[k - ids.size()]) : Result<FileReport>(answer.error()),
          stop);
    }
  }
  return out;
}

Result<vt::Client::BatchAnswer> Engine::Ask(std::span<const std::string> analysis_ids,
                                            std::span<const domain::Hash> hashes) {
  vt::Client::BatchAnswer answer;
  if (analysis_ids.size() == 1 && hashes.empty()) {
    answer.polls.push_back(d_.client->GetAnalysis(analysis_ids[0]));
  } else if (!analysis_ids.empty()) {
    return d_.client->PollAndLookup(analysis_ids, hashes);
  } else if (hashes.size() == 1) {
    answer.lookups.push_back(d_.client->GetFileReport(hashes[0]));
  } else {
    ASSIGN_OR_RETURN(answer.lookups, d_.client->GetFileReports(hashes));
  }
  return answer;
}

Engine::Outcome Engine::RefreshMiss(Job& job, const std::string& why) {
  // The stored report stays; a refresh is optional work and never fails a job.
  job.last_error = "refresh: " + why;
  job.next_action_at = now_ + config_.refresh_weak_after;
  return {};
}

Engine::Outcome Engine::LookupResult(Job& job, Result<FileReport> report, std::stop_token stop) {
  const ErrorCode code = report ? ErrorCode::kQueued : report.error().code;
  if (job.state == JobState::kLookup && (code == ErrorCode::kNotFound || report)) {
    const double unknown = code == ErrorCode::kNotFound ? 1.0 : 0.0;
    unknown_share_ += kShareStep * (unknown - unknown_share_);
  }
  if (report && !Unanalysed(*report)) return StoreReport(job, *report, stop);
  if (job.state == JobState::kDone) {
    if (report || !IsRequestError(code)) {
      return RefreshMiss(job, report ? "no finished analysis" : report.error().ToString());
    }
    return CommonError(job, report.error());
  }
  if (code == ErrorCode::kQueued) {
    // Known but not analysed yet: look again after a poll interval.
    ++job.polls;
    job.last_error = "known to VirusTotal but not analysed yet";
    MoveTo(job, JobState::kRelookup, now_ + d_.polls->NextLook(job.polls));
    return {};
  }
  if (code != ErrorCode::kNotFound) return CommonError(job, report.error());
  if (Permission may = UploadPermission(config_, job); !may.allowed) {
    job.last_error = "not on VirusTotal; " + may.why_not + ", looked up again later";
    MoveTo(job, JobState::kRelookup, now_ + config_.relookup_interval);
  } else if (job.path.empty()) {
    job.last_error = "not on VirusTotal and no file to upload; looked up again later";
    MoveTo(job, JobState::kRelookup, now_ + config_.relookup_interval);
  } else {
    job.last_error.clear();
    MoveTo(job, JobState::kUpload, now_);
  }
  return {};
}

Engine::Outcome Engine::Upload(Job& job) {
  // The policy now, not the one of the lookup: the operator may have said `never` since,
  // or an arrival may have recorded that VirusTotal has the file (send_policy.h).
  if (Permission may = UploadPermission(config_, job); !may.allowed) {
    job.last_error = "not uploaded: " + may.why_not + "; looked up again later";
    MoveTo(job, JobState::kRelookup, now_ + config_.relookup_interval);
    spdlog::info("sample {}: {}", job.LookupHash(), EscapeForLog(job.last_error));
    return {};
  }
  if (job.path.empty()) {
    job.last_error = "no file to upload; looked up again later";
    MoveTo(job, JobState::kRelookup, now_ + config_.relookup_interval);
    return {};
  }
  // Local checks first: they cost no request (sample_upload.h).
  const auto root = SampleRoot(config_, job);
  if (!root) {
    return Fail(job, std::string(domain::kNotTheSampleReason) + ": " + job.path +
                         " is outside every configured folder; not uploaded");
  }
  auto upload = PrepareUpload(job, *root, config_.max_upload_size);
  if (!upload) {
    const Error& e = upload.error();
    return Fail(job, e.code == ErrorCode::kIo
                         ? std::string(domain::kMissingFileReason) + " or unreadable: " + e.message
                         : e.message);
  }
  if (Status spent = Spend(job, "upload"); !spent) return {Next::kFatal, spent.error()};
  auto ref = d_.client->UploadFile(*upload);
  Settle();
  if (!ref) {
    const ErrorCode code = ref.error().code;
    if (code == ErrorCode::kIo) {
      // The body stopped: the file changed while it was sent (vt/file_body.h).
      return Fail(job, std::string(domain::kNotTheSampleReason) + ": " + ref.error().message);
    }
    if (code == ErrorCode::kTooLarge) return Fail(job, "too large: " + ref.error().message);
    return CommonError(job, ref.error());
  }
  job.analysis_id = ref->id;
  job.analysis_permalink = ref->permalink;
  job.uploaded_at = now_;
  job.polls = 0;
  job.last_error.clear();
  // The comment waits for the verdict: VirusTotal refuses comments on a file it has not
  // finished processing (DIONAEA-FACTS §8.8), and every refusal costs a request.
  MoveTo(job, JobState::kPoll, now_ + d_.polls->FirstPoll());
  spdlog::info("sample {} uploaded (analysis {})", job.LookupHash(), job.analysis_id);
  return {};
}

Engine::Outcome Engine::Comment(Job& job) {
  // The verdict is already stored; whatever happens here the job ends done. Its refresh
  // comes refresh_weak_after from now (then rescheduled by the refreshed report).
  auto finish = [&](std::string note) {
    job.last_error = std::move(note);
    MoveTo(job, JobState::kDone, now_ + config_.refresh_weak_after);
    return Outcome{};
  };
  // The policy now: `comment = false` since the upload drops a pending comment.
  if (Permission may = CommentPermission(config_, job); !may.allowed) {
    return finish("comment not posted: " + may.why_not);
  }
  const std::string& hex = job.sha256.empty() ? job.md5 : job.sha256;
  auto hash = domain::Hash::Parse(hex);
  if (!hash) return finish("comment skipped: no valid hash");
  if (Status spent = Spend(job, "comment"); !spent) return {Next::kFatal, spent.error()};
  auto ack = d_.client->AddComment(*hash, config_.comment_text);
  Settle();
  if (ack || ack.error().code == ErrorCode::kBadRequest) {
    // kBadRequest: VirusTotal refuses the comment (e.g. a duplicate); nothing to repeat.
    return finish(ack ? "" : "comment not posted: " + ack.error().ToString());
  }
  if (IsRequestError(ack.error().code)) return CommonError(job, ack.error());
  // Not processed yet (kNotFound) or transient: a few more tries, then the comment is
  // dropped.
  ++job.attempts;
  if (job.attempts >= config_.comment_max_attempts) {
    return finish("comment not posted: " + ack.error().ToString());
  }
  job.last_error = ack.error().ToString();
  job.next_action_at =
      now_ + std::max(config_.comment_delay,
                      d_.backoff->Delay(job.attempts, config_.backoff_base, config_.backoff_cap));
  return {};
}

std::optional<Engine::Outcome> Engine::PollWithoutRequest(Job& job) {
  const TimePoint uploaded = job.uploaded_at.value_or(job.updated_at);
  if (!job.analysis_id.empty() && now_ - uploaded <= config_.analysis_deadline) {
    return std::nullopt;
  }
  job.last_error = job.analysis_id.empty() ? "no analysis to poll; looked up again"
                                           : "analysis not complete by the deadline; "
                                             "looked up again later";
  MoveTo(
      job, JobState::kRelookup,
      now_ + (job.analysis_id.empty() ? std::chrono::seconds(0) : config_.relookup_after_deadline));
  return Outcome{};
}

Engine::Outcome Engine::PollResult(Job& job, Result<domain::Analysis> analysis,
                                   std::stop_token stop) {
  const TimePoint uploaded = job.uploaded_at.value_or(job.updated_at);
  const bool complete = analysis && analysis->status == domain::AnalysisStatus::kCompleted;
  const bool queued = !complete && (analysis || analysis.error().code == ErrorCode::kQueued);
  // Every answered poll teaches the schedule, late ones too (see PollSchedule).
  if (complete || queued) {
    if (Status st = d_.polls->Learn(job.polls, complete, d_.usage); !st) {
      spdlog::warn("could not save the poll schedule: {}", st.error().ToString());
    }
  }
  if (!complete) {
    if (queued) {
      job.last_error.clear();
      job.next_action_at = d_.polls->NextPollAt(uploaded, job.polls, now_);
      return {};
    }
    if (analysis.error().code == ErrorCode::kNotFound) {
      job.last_error = "VirusTotal does not know analysis " + job.analysis_id + "; looked up again";
      MoveTo(job, JobState::kRelookup, now_);
      return {};
    }
    return CommonError(job, analysis.error());
  }
  FileReport report;
  report.md5 = analysis->md5.empty() ? job.md5 : analysis->md5;
  report.sha1 = analysis->sha1.empty() ? job.sha1 : analysis->sha1;
  report.sha256 = analysis->sha256.empty() ? job.sha256 : analysis->sha256;
  report.last_analysis_date = analysis->date > 0 ? analysis->date : ToUnixSecondsInt(now_);
  report.engines = analysis->engines;
  report.permalink = Permalink(d_.client->api_version(), report.sha256, report.last_analysis_date);
  Outcome stored = StoreReport(job, report, stop);
  if (job.state == JobState::kDone && CommentPermission(config_, job).allowed) {
    MoveTo(job, JobState::kComment, now_);  // the verdict is stored; now say where it came from
  }
  if (job.state == JobState::kDone || job.state == JobState::kComment) {
    const auto took = std::chrono::duration_cast<std::chrono::seconds>(now_ - uploaded);
    if (Status st = d_.usage->RecordAnalysisDuration(now_, took); !st) {
      spdlog::warn("could not record the analysis duration: {}", st.error().ToString());
    }
  }
  return stored;
}

}  // namespace honeyvt::pipeline
