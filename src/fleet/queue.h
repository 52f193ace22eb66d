#pragma once
// The queue a command works on: the fleet's (PostgreSQL, this sensor) when fleet_dsn (or
// a PostgreSQL `state`) is configured, else the single-host state database. `enqueue`,
// `retry`, `backlog` and `import-dionaea-cache` use it, so they run unchanged on both.

#include <memory>
#include <string>

#include "core/options.h"
#include "domain/job_store.h"

namespace honeyvt::fleet {

struct Queue {
  std::unique_ptr<domain::JobStore> jobs;
  domain::UsageStore* usage = nullptr;  // the same store's request log and learnt values
  std::string where;  // for messages: "state /path" or "fleet host=... (sensor s1)"
  bool fleet = false;
};

// `create`: a missing single-host state database is created (else kNotFound).
Result<Queue> OpenQueue(const Options& options, bool create);

}  // namespace honeyvt::fleet
