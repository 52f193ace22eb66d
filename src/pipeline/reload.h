#pragma once
// A configuration reload of a running pipeline (SIGHUP), applied by the daemon's thread
// between two steps, so no step ever sees half of a change. The queue is untouched.
//
// Applied at once: quota windows (a new QuotaGovernor loaded from the request log; a
// pause ordered by VirusTotal carries over), and the pipeline tuning derived from the
// options (upload and comment policy, comment text and delay, max_upload_size, refresh
// settings, v2_batch_size). Keys whose change needs a restart (the databases, the
// VirusTotal connection) are named by KeysNeedingRestart and keep their running value.
// An invalid configuration changes nothing.

#include <string>
#include <vector>

#include "core/options.h"
#include "pipeline/config.h"
#include "pipeline/engine.h"
#include "pipeline/quota.h"

namespace honeyvt::pipeline {

// Keys that differ between `running` and `next` but only take effect at a restart.
std::vector<std::string> KeysNeedingRestart(const Options& running, const Options& next);

// `next` with the keys of KeysNeedingRestart set back to their running values.
Options KeepRestartKeys(const Options& running, Options next);

// Validates `next` and, only if all of it is valid, swaps the engine's tuning (`config`,
// with any timing overrides already applied) and the quota governor (loaded from `usage`
// at `now`). kInvalidArgument (bad quota windows) or a state-database error leave both
// as they were.
Status ApplyReload(const Options& next, PipelineConfig config, Engine& engine, QuotaGovernor& quota,
                   domain::UsageStore& usage, TimePoint now);

}  // namespace honeyvt::pipeline
