#include "fleet/service.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <thread>

#include "core/digest.h"
#include "fleet/db_clock.h"
#include "fleet/fleet_gate.h"
#include "fleet/key_settings.h"
#include "fleet/report_sink.h"
#include "fleet/session.h"
#include "ingest/follow.h"
#include "pipeline/daemon.h"
#include "pipeline/engine.h"
#include "pipeline/process.h"
#include "store/pg/dsn.h"
#include "store/pg/fleet_db.h"

#ifndef HONEYVT_VERSION
#define HONEYVT_VERSION "unknown"
#endif

namespace honeyvt::fleet {
namespace {

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

// Opens one more connection acting for the registered worker.
Result<pg::FleetDb> Connect(const std::string& dsn, const std::string& role, const pg::Identity& id,
                            const pg::KeySettings& key) {
  ASSIGN_OR_RETURN(pg::FleetDb db, pg::FleetDb::Open(dsn, role));
  db.Adopt(id, key);
  return db;
}

// Waits until the database answers again (or stop); false if stopped.
bool AwaitDatabase(pg::FleetDb& db, Clock& clock, std::stop_token stop) {
  auto pause = std::chrono::milliseconds(500);
  while (!stop.stop_requested()) {
    if (db.EnsureConnected()) return true;
    if (!clock.SleepFor(pause, stop)) return false;
    pause = std::min(pause * 2, std::chrono::milliseconds(30000));
  }
  return false;
}

}  // namespace

std::string SensorName(const Options& options) {
  return options.sensor.empty() ? HostName() : options.sensor;
}

namespace {

// The worker's whole run; `joined` turns true once it has joined the fleet and works.
Status Work(const Options& options, vt::Client& client, Clock& local_clock,
            const pipeline::RunRequest& request, bool follow, std::stop_token stop, bool& joined) {
  const std::string dsn = options.FleetDsn();
  const std::string sensor = SensorName(options);
  if (options.api_key.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "fleet mode needs the API key (HONEYVT_API_KEY or api_key_file): the "
                     "fleet shares its quota by the key's fingerprint");
  }
  ASSIGN_OR_RETURN(pg::KeySettings key, KeySettingsFrom(options));
  pipeline::PipelineConfig config = pipeline::PipelineConfig::FromOptions(options);
  if (request.first_poll) config.first_poll_default = *request.first_poll;
  if (request.poll_min) config.poll_min = *request.poll_min;
  if (request.backoff_base) config.backoff_base = *request.backoff_base;
  if (options.fleet_lease.count() > 0) {
    config.lease = std::chrono::ceil<std::chrono::seconds>(options.fleet_lease);
  }
  // The upload policy is each sensor's, enforced by the claim: a sensor that may not
  // upload never gets an upload, and its copies do not make a sample uploadable.
  config.upload = UploadPolicy::kAlways;

  ASSIGN_OR_RETURN(pg::FleetDb engine_db, pg::FleetDb::Open(dsn, sensor + "/engine"));
  RETURN_IF_ERROR(engine_db.UseSensor(sensor, options.upload));
  const std::string fingerprint = DigestBytes(options.api_key.Reveal()).sha256;
  std::string mismatch;
  RETURN_IF_ERROR(engine_db.UseKey(fingerprint, key, &mismatch));
  if (!mismatch.empty()) spdlog::warn("fleet: {}", mismatch);
  RETURN_IF_ERROR(engine_db.RegisterWorker(HostName(), pipeline::CurrentProcessId(),
                                           "honeyvt " HONEYVT_VERSION));
  const pg::Identity id = engine_db.identity();
  const pg::KeySettings applied = engine_db.key_settings();

  DbClock clock(local_clock);
  pipeline::PollSchedule polls(config);
  RETURN_IF_ERROR(polls.Load(engine_db));
  const std::uint64_t seed =
      request.seed != 0 ? request.seed
                        : static_cast<std::uint64_t>(clock.Now().time_since_epoch().count());
  pipeline::Backoff backoff(seed);
  FleetGateOptions gate_options;
  gate_options.lease = std::chrono::duration_cast<std::chrono::milliseconds>(config.lease);
  gate_options.ceiling = std::chrono::duration_cast<std::chrono::milliseconds>(
                             options.request_timeout + options.connect_timeout) +
                         applied.send_deadline;
  FleetGate gate(engine_db, gate_options);
  FleetReportSink sink(engine_db, client.api_version());
  pipeline::Engine engine(config, {.jobs = &engine_db,
                                   .usage = &engine_db,
                                   .client = &client,
                                   .sink = &sink,
                                   .clock = &clock,
                                   .quota = &gate,
                                   .polls = &polls,
                                   .backoff = &backoff,
                                   .owner = id.worker_id});
  pipeline::Daemon daemon(engine, engine_db, gate, clock, request.daemon);

  ASSIGN_OR_RETURN(pg::FleetDb session_db, Connect(dsn, sensor + "/session", id, applied));
  SessionOptions session_options;
  session_options.heartbeat = options.fleet_heartbeat;
  ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                   Session::Start(std::move(session_db), clock, options.logsql, session_options,
                                  {.wake = [&daemon] { daemon.Wake(); },
                                   .quota_changed = [&gate] { gate.Invalidate(); }}));
  std::optional<pg::FleetDb> ingest_db;
  std::unique_ptr<ingest::Following> following;
  if (follow) {
    ASSIGN_OR_RETURN(pg::FleetDb db, Connect(dsn, sensor + "/ingest", id, applied));
    ingest_db.emplace(std::move(db));
    following =
        ingest::FollowInBackground(options, clock, request.daemon.until_drained, &*ingest_db);
  }
  spdlog::info("honeyvt run: fleet worker {} of sensor '{}' ({}), logsql {}, API v{}", id.worker_id,
               sensor, pg::RedactDsn(dsn), options.logsql.string(), client.api_version());

  joined = true;
  if (request.attach) request.attach(daemon);
  Status result = OkStatus();
  while (!stop.stop_requested()) {
    Status st = daemon.Run(stop);
    if (st) break;
    const ErrorCode code = st.error().code;
    if (code != ErrorCode::kTransient && code != ErrorCode::kBusy) {
      result = st;
      break;
    }
    spdlog::warn("fleet: database unreachable ({}); no request is made until it is back",
                 st.error().message);
    if (!AwaitDatabase(engine_db, clock, stop)) break;
    // Whatever we had in flight when the connection broke is repeated (at most one
    // request); its token check refuses a completion that raced a reclaim.
    if (auto freed = engine_db.ReleaseOwnLeases(); freed && *freed > 0) {
      spdlog::info("fleet: released {} job(s) left in flight by the outage", *freed);
    }
    gate.Invalidate();
    spdlog::info("fleet: database reachable again; resuming");
  }
  if (request.detach) request.detach(daemon);
  following.reset();
  session.reset();
  if (engine_db.EnsureConnected()) {
    (void)engine_db.StopWorker(result ? "stopped" : "stopped: " + result.error().message);
  }
  return result;
}

}  // namespace

pipeline::RunFailure FleetFailureOf(ErrorCode code, bool joined) {
  using F = pipeline::RunFailure;
  if (code == ErrorCode::kTransient || code == ErrorCode::kBusy) return F::kRuntime;
  if (joined) return code == ErrorCode::kAuthFailed ? F::kKeyRejected : F::kRuntime;
  if (code == ErrorCode::kInvalidArgument) return F::kConfig;
  return F::kDatabase;  // no request is made while joining: every other error is the database's
}

Status RunFleet(const Options& options, vt::Client& client, Clock& clock,
                const pipeline::RunRequest& request, bool follow, std::stop_token stop,
                pipeline::RunFailure* failure) {
  bool joined = false;
  Status st = Work(options, client, clock, request, follow, stop, joined);
  if (!st && failure != nullptr) *failure = FleetFailureOf(st.error().code, joined);
  return st;
}

}  // namespace honeyvt::fleet
