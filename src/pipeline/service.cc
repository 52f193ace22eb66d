#include "pipeline/service.h"

#include <spdlog/spdlog.h>

#include "pipeline/process.h"
#include "pipeline/report_sink.h"
#include "store/logsql_writer.h"
#include "store/state_db.h"

namespace honeyvt::pipeline {

Status RunPipeline(const Options& options, vt::Client& client, Clock& clock,
                   const RunRequest& request, std::stop_token stop) {
  PipelineConfig config = PipelineConfig::FromOptions(options);
  if (request.first_poll) config.first_poll_default = *request.first_poll;
  if (request.poll_min) config.poll_min = *request.poll_min;
  if (request.backoff_base) config.backoff_base = *request.backoff_base;
  ASSIGN_OR_RETURN(std::vector<QuotaWindow> windows, ParseQuotaWindows(options.quota));

  const auto state_path = options.StatePath();
  ASSIGN_OR_RETURN(DaemonLock lock, DaemonLock::Acquire(state_path));
  ASSIGN_OR_RETURN(store::StateDb state, store::StateDb::Open(state_path));
  const std::int64_t me = CurrentProcessId();
  // Only a daemon leases jobs, and we now hold the one-daemon lock: every lease left in
  // the file belongs to a run that died (pid liveness is not needed, and a reused pid
  // cannot fool us).
  ASSIGN_OR_RETURN(std::int64_t freed,
                   state.ReclaimLeases(clock.Now(), [](std::int64_t) { return false; }));
  if (freed > 0) spdlog::info("reclaimed {} step(s) left in flight by an earlier run", freed);

  ASSIGN_OR_RETURN(store::LogsqlWriter writer, store::LogsqlWriter::Open(options.logsql, clock));
  LogsqlSink sink(writer, client.api_version());
  QuotaGovernor quota(std::move(windows), &state);
  GovernorGate gate(quota, state);
  // A request in flight when an earlier run died counts from now, not from its send time.
  RETURN_IF_ERROR(state.SettleLatestRequest(clock.Now()));
  RETURN_IF_ERROR(quota.Load(clock.Now()));
  PollSchedule polls(config);
  RETURN_IF_ERROR(polls.Load(state));
  const std::uint64_t seed =
      request.seed != 0 ? request.seed
                        : static_cast<std::uint64_t>(clock.Now().time_since_epoch().count());
  Backoff backoff(seed);
  Engine engine(config, {.jobs = &state,
                         .usage = &state,
                         .client = &client,
                         .sink = &sink,
                         .clock = &clock,
                         .quota = &gate,
                         .polls = &polls,
                         .backoff = &backoff,
                         .owner = me});
  Daemon daemon(engine, state, gate, clock, request.daemon);
  if (request.attach) request.attach(daemon);
  spdlog::info("honeyvt run: state {}, logsql {}, API v{}", state_path.string(),
               options.logsql.string(), client.api_version());
  return daemon.Run(stop);
}

}  // namespace honeyvt::pipeline
