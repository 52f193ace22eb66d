#pragma once
// Wiring for `honeyvt run` in a fleet (options.FleetDsn() set; docs/fleet.md): joins the
// fleet as a worker of this sensor (sensor name from the `sensor` option, default the
// host name), and runs the same pipeline as on one host over the shared PostgreSQL
// stores: the fleet queue (FleetDb), the exact shared quota (FleetGate), reports fenced
// into the central database (FleetReportSink), on the database's clock (DbClock). A
// Session thread keeps the worker alive, reclaims dead workers' jobs, listens for
// wake-ups and mirrors verdicts into the local logsql. If the database becomes
// unreachable the worker pauses (nothing is spent without the ledger), reconnects and
// carries on; on a clean stop it frees its leases.

#include <stop_token>
#include <string>

#include "core/clock.h"
#include "core/options.h"
#include "pipeline/service.h"
#include "vt/client.h"

namespace honeyvt::fleet {

// The name this host uses in the fleet: options.sensor, else the host name.
std::string SensorName(const Options& options);

// `follow`: also follow dionaea and the sample directories into the fleet queue (caught
// up first with --until-drained). request.attach/detach are called around the work (the
// service notifier); request.reload is not used (a fleet worker restarts to reload).
// On error, `*failure` (if given) says which kind (FleetFailureOf).
Status RunFleet(const Options& options, vt::Client& client, Clock& clock,
                const pipeline::RunRequest& request, bool follow, std::stop_token stop,
                pipeline::RunFailure* failure = nullptr);

// The kind of a fleet worker's failure, for its exit status. `joined`: the error came
// after the worker joined the fleet (while working), else while joining:
//  - the database unreachable or busy: kRuntime (a restart may help), joined or not;
//  - while joining: a bad DSN or setting is kConfig; a refused login, missing rights, a
//    missing or newer schema is kDatabase (a restart will not help);
//  - while working: VirusTotal rejecting the key is kKeyRejected; anything else kRuntime.
pipeline::RunFailure FleetFailureOf(ErrorCode code, bool joined);

}  // namespace honeyvt::fleet
