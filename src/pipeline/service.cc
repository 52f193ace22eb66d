#include "pipeline/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "pipeline/process.h"
#include "pipeline/reload.h"
#include "pipeline/report_sink.h"
#include "store/logsql_writer.h"
#include "store/state_db.h"

namespace honeyvt::pipeline {
namespace {

PipelineConfig ConfigFor(const Options& options, const RunRequest& request) {
  PipelineConfig config = PipelineConfig::FromOptions(options);
  if (request.first_poll) config.first_poll_default = *request.first_poll;
  if (request.poll_min) config.poll_min = *request.poll_min;
  if (request.backoff_base) config.backoff_base = *request.backoff_base;
  return config;
}

// Records why we stop and passes the error on.
Error Failed(RunFailure* out, RunFailure kind, Error error) {
  if (out != nullptr) *out = kind;
  return error;
}

RunFailure DatabaseOrRuntime(const Error& e) {
  return e.code == ErrorCode::kBusy || e.code == ErrorCode::kCancelled ? RunFailure::kRuntime
                                                                       : RunFailure::kDatabase;
}

// dionaea holds logsql's lock while it writes (for seconds under attack). honeyvt creates
// its tables at start, so it waits for the lock like the write path does mid-run: retries
// with a growing pause, saying so, until the lock is free or we are stopped (kCancelled).
Result<store::LogsqlWriter> OpenLogsqlWaiting(const std::filesystem::path& path, Clock& clock,
                                              const RunRequest& request, std::stop_token stop) {
  const TimePoint since = clock.Now();
  TimePoint next_note = since;
  Duration pause = std::chrono::milliseconds(250);
  while (true) {
    auto writer = store::LogsqlWriter::Open(path, clock);
    if (writer || writer.error().code != ErrorCode::kBusy) return writer;
    const TimePoint now = clock.Now();
    if (now >= next_note) {
      const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - since);
      spdlog::warn("{} is locked by another process (dionaea writing?); waiting for it{}",
                   path.string(),
                   waited.count() > 0 ? " (" + std::to_string(waited.count()) + " s so far)" : "");
      if (request.waiting) request.waiting("waiting for the lock on " + path.string());
      next_note = now + std::chrono::seconds(30);
    }
    if (!clock.SleepFor(pause, stop)) {
      return MakeError(ErrorCode::kCancelled, "stopped while waiting for " + path.string());
    }
    pause = std::min<Duration>(pause * 2, std::chrono::seconds(5));
  }
}

}  // namespace

Status RunPipeline(const Options& options, vt::Client& client, Clock& clock,
                   const RunRequest& request, std::stop_token stop, RunFailure* failure) {
  auto windows = ParseQuotaWindows(options.quota);
  if (!windows) return Failed(failure, RunFailure::kConfig, std::move(windows).error());

  const auto state_path = options.StatePath();
  auto lock = DaemonLock::Acquire(state_path);
  if (!lock) {
    const RunFailure kind =
        lock.error().code == ErrorCode::kBusy ? RunFailure::kLocked : RunFailure::kDatabase;
    return Failed(failure, kind, std::move(lock).error());
  }
  auto opened = store::StateDb::Open(state_path);
  if (!opened) return Failed(failure, DatabaseOrRuntime(opened.error()), opened.error());
  store::StateDb& state = *opened;
  const std::int64_t me = CurrentProcessId();
  QuotaGovernor quota(std::move(*windows), &state);
  PipelineConfig config = ConfigFor(options, request);
  PollSchedule polls(config);
  // Only a daemon leases jobs, and we now hold the one-daemon lock: every lease left in
  // the file belongs to a run that died (pid liveness is not needed, and a reused pid
  // cannot fool us). A request in flight when an earlier run died counts from now.
  Status loaded = [&]() -> Status {
    ASSIGN_OR_RETURN(std::int64_t freed,
                     state.ReclaimLeases(clock.Now(), [](std::int64_t) { return false; }));
    if (freed > 0) spdlog::info("reclaimed {} step(s) left in flight by an earlier run", freed);
    RETURN_IF_ERROR(state.SettleLatestRequest(clock.Now()));
    RETURN_IF_ERROR(quota.Load(clock.Now()));
    return polls.Load(state);
  }();
  if (!loaded) return Failed(failure, DatabaseOrRuntime(loaded.error()), loaded.error());

  auto writer = OpenLogsqlWaiting(options.logsql, clock, request, stop);
  if (!writer) {
    if (writer.error().code == ErrorCode::kCancelled) return OkStatus();  // stopped: fine
    return Failed(failure, RunFailure::kDatabase, std::move(writer).error());
  }
  LogsqlSink sink(*writer, client.api_version());
  const std::uint64_t seed =
      request.seed != 0 ? request.seed
                        : static_cast<std::uint64_t>(clock.Now().time_since_epoch().count());
  Backoff backoff(seed);
  // Every finished step is journaled for the dashboard's timelines and /metrics.
  JournaledJobStore jobs(state, state.db());
  MeteredSink metered(sink, clock, request.instruments);
  Engine engine(config, {.jobs = &jobs,
                         .usage = &state,
                         .client = &client,
                         .sink = &metered,
                         .clock = &clock,
                         .quota = &quota,
                         .polls = &polls,
                         .backoff = &backoff,
                         .owner = me});
  DaemonOptions daemon_options = request.daemon;
  Options running = options;
  daemon_options.reload = [&] {
    if (!request.reload) return;
    auto next = request.reload();
    if (!next) {
      spdlog::error("reload refused, the running configuration is kept: {}", next.error().message);
      return;
    }
    for (const std::string& key : KeysNeedingRestart(running, *next)) {
      spdlog::warn("reload: '{}' changed; it takes effect at the next start", key);
    }
    Options applied = KeepRestartKeys(running, std::move(*next));
    if (Status st =
            ApplyReload(applied, ConfigFor(applied, request), engine, quota, state, clock.Now());
        !st) {
      spdlog::error("reload refused, the running configuration is kept: {}", st.error().message);
      return;
    }
    running = std::move(applied);
    if (request.reloaded) request.reloaded(running);
    std::string windows_text;
    for (const auto& w : running.quota) windows_text += (windows_text.empty() ? "" : ", ") + w;
    spdlog::info("configuration reloaded: quota {}, upload {}, comment {}, log level {}",
                 windows_text, running.upload == UploadPolicy::kNever ? "never" : "always",
                 running.comment ? "on" : "off", running.log_level);
  };
  daemon_options.quota_wait_seconds = request.instruments.quota_wait_seconds;
  Daemon daemon(engine, jobs, quota, clock, daemon_options);
  spdlog::info("honeyvt run: state {}, logsql {}, API v{}", state_path.string(),
               options.logsql.string(), client.api_version());
  if (request.attach) request.attach(daemon);
  Status ran = daemon.Run(stop);
  if (request.detach) request.detach(daemon);
  if (!ran) {
    RunFailure kind = RunFailure::kRuntime;
    if (ran.error().code == ErrorCode::kAuthFailed) {
      kind = RunFailure::kKeyRejected;
    } else if (ran.error().code == ErrorCode::kCorrupt || ran.error().code == ErrorCode::kIo) {
      kind = RunFailure::kDatabase;
    }
    return Failed(failure, kind, std::move(ran).error());
  }
  return OkStatus();
}

}  // namespace honeyvt::pipeline
