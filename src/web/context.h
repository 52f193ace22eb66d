#pragma once
// What every handler of the dashboard shares: configuration, clock, the database pools,
// the metrics it records, and the security gate (for login). Owned by WebApp; handlers
// hold a reference for the server's lifetime.

#include <atomic>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/options.h"
#include "web/db.h"
#include "web/security.h"

namespace honeyvt::web {

class ReportService;

struct Context {
  Options options;
  Clock* clock = nullptr;
  Pool* logsql = nullptr;   // read-only logsql connections
  Pool* state = nullptr;    // state database connections (read; writes for actions)
  Pool* rollups = nullptr;  // where the rollup tables are (the state DB, or a private file)
  Pool* replica = nullptr;  // read-only connections to the report replica (replica.h)
  ReportService* reports = nullptr;
  ReadMetrics reads;
  bool actions_enabled = true;  // false when the state database is read-only
  bool in_daemon = false;       // served by `honeyvt run`
  bool simulated = false;       // base_url is a loopback simulator (vtsim)
  std::string version;
  std::string revision;
  TimePoint started_at{};
  std::function<Gate*()> gate;  // the server's gate (exists once the server is bound)
  // Set by the rollup updater: false until its first pass over logsql finished.
  std::atomic<bool> rollups_ready{false};
  std::atomic<double> rollups_as_of{0};  // Unix seconds of the last finished pass
};

}  // namespace honeyvt::web
