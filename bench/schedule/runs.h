#pragma once
// The two policies the simulator compares on the same scenario and simulated service.

#include <filesystem>

#include "schedule/metrics.h"
#include "schedule/scenario.h"

namespace honeyvt::bench {

// honeyvt's real daemon, engine, quota governor, poll schedule and SQLite state database
// (in `dir`), driven by a fake clock that jumps to the next event.
RunResult RunHoneyvt(const Scenario& sc, const std::filesystem::path& dir);

// dionaea's vtcache policy (DIONAEA-FACTS §7) with its stuck-state bugs fixed: one request
// every 20 s whatever the quota says, comments 60 s after an upload, polls 15 min apart,
// uploads in queue order, new samples newest first, no batching.
RunResult RunFixedTick(const Scenario& sc);

}  // namespace honeyvt::bench
