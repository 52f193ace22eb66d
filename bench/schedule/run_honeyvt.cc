// honeyvt's own scheduler in simulated time.
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <map>
#include <stop_token>

#include "pipeline/backoff.h"
#include "pipeline/daemon.h"
#include "pipeline/engine.h"
#include "pipeline/poll_schedule.h"
#include "pipeline/quota.h"
#include "pipeline/report_sink.h"
#include "schedule/runs.h"
#include "schedule/sim_vt.h"
#include "store/state_db.h"

namespace honeyvt::bench {
namespace {

// Records the first verdict of each sample at the simulated time it was stored.
class VerdictSink final : public pipeline::ReportSink {
 public:
  VerdictSink(const Clock& clock, const SimVt& vt, RunResult& out)
      : clock_(clock), vt_(vt), out_(out) {}
  Status Store(const domain::FileReport& report, TimePoint, std::stop_token) override {
    if (seen_.emplace(report.md5, true).second) {
      out_.verdicts.push_back(Verdict{report.md5, clock_.Now(), vt_.UploadedAt(report.md5)});
    }
    return OkStatus();
  }

 private:
  const Clock& clock_;
  const SimVt& vt_;
  RunResult& out_;
  std::map<std::string, bool> seen_;
};

// A fake clock whose sleeps jump straight to their deadline, delivering the honeypot's
// samples on the way (a sleep ends early at an arrival, as Daemon::Wake would make it),
// and stopping the run at the scenario's horizon.
class EventClock final : public Clock {
 public:
  EventClock(TimePoint start, std::vector<const SimSample*> arrivals, domain::JobStore& jobs,
             TimePoint horizon, std::stop_source& stop)
      : now_(start), arrivals_(std::move(arrivals)), jobs_(jobs), horizon_(horizon), stop_(stop) {}
  TimePoint Now() const override { return now_; }
  bool SleepUntil(TimePoint deadline, std::stop_token) override {
    if (next_ < arrivals_.size() && arrivals_[next_]->arrives <= deadline) {
      now_ = std::max(now_, arrivals_[next_]->arrives);
      std::vector<domain::EnqueueItem> items;
      while (next_ < arrivals_.size() && arrivals_[next_]->arrives <= now_) {
        const SimSample& s = *arrivals_[next_++];
        items.push_back({s.md5, "", "", s.known ? "" : PathOf(s), "honeypot", s.priority});
      }
      (void)jobs_.Enqueue(items, now_);
    } else {
      now_ = std::max(now_, deadline);
    }
    if (now_ >= horizon_) stop_.request_stop();
    return true;
  }
  static std::string PathOf(const SimSample& s) { return dir + "/" + s.md5; }
  static inline std::string dir;

 private:
  TimePoint now_;
  std::vector<const SimSample*> arrivals_;
  std::size_t next_ = 0;
  domain::JobStore& jobs_;
  TimePoint horizon_;
  std::stop_source& stop_;
};

}  // namespace

RunResult RunHoneyvt(const Scenario& sc, const std::filesystem::path& dir) {
  const auto started = std::chrono::steady_clock::now();
  spdlog::set_level(spdlog::level::warn);
  RunResult out;
  out.policy = "honeyvt";
  std::filesystem::create_directories(dir / "samples");
  EventClock::dir = (dir / "samples").string();
  auto state = store::StateDb::Open(dir / "state.sqlite");
  if (!state) throw std::runtime_error(state.error().ToString());
  std::vector<const SimSample*> arrivals;
  std::vector<domain::EnqueueItem> backlog;
  for (const SimSample& s : sc.samples) {
    const std::string path = s.known ? "" : EventClock::PathOf(s);
    if (!path.empty()) std::ofstream(path, std::ios::binary) << s.content;
    if (s.fresh) {
      arrivals.push_back(&s);
    } else {
      backlog.push_back({s.md5, "", "", path, "backlog", s.priority});
    }
  }
  std::stop_source stop;
  const TimePoint horizon = sc.horizon.count() > 0 ? sc.start + sc.horizon : TimePoint::max();
  EventClock clock(sc.start, arrivals, *state, horizon, stop);
  SimVt vt(clock, sc.api_version, *vtsim::ParseQuota(QuotaSpec(sc)));
  for (const SimSample& s : sc.samples) vt.Add(s, s.known ? "" : EventClock::PathOf(s));
  if (auto st = state->Enqueue(backlog, sc.start); !st)
    throw std::runtime_error(st.error().ToString());
  pipeline::PipelineConfig config;
  config.comment_text = "captured by a honeypot (schedule simulator)";
  // The samples' folder, as `binaries` would be: uploads read files only below it.
  config.sources.push_back(
      {std::filesystem::canonical(dir / "samples"), UploadPolicy::kAlways, true});
  config.poll_min = sc.poll_min;
  config.backoff_base = sc.backoff_base;
  pipeline::QuotaGovernor quota(*pipeline::ParseQuotaWindows(sc.quota), &*state);
  if (auto st = quota.Load(sc.start); !st) throw std::runtime_error(st.error().ToString());
  pipeline::PollSchedule polls(config);
  pipeline::Backoff backoff(1);
  VerdictSink sink(clock, vt, out);
  pipeline::Engine engine(config, {.jobs = &*state,
                                   .usage = &*state,
                                   .client = &vt,
                                   .sink = &sink,
                                   .clock = &clock,
                                   .quota = &quota,
                                   .polls = &polls,
                                   .backoff = &backoff,
                                   .owner = 1});
  pipeline::Daemon daemon(
      engine, *state, quota, clock,
      {.until_drained = arrivals.empty(), .idle_recheck = std::chrono::seconds(10)});
  if (auto st = daemon.Run(stop.get_token()); !st) throw std::runtime_error(st.error().ToString());
  out.calls = vt.counts();
  out.uploads = vt.counts().uploaded;
  out.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace honeyvt::bench
