#pragma once
// `honeyvt status --fleet`: the fleet at a glance (workers per sensor with their
// heartbeat age, the key's quota per window and any block, jobs per state with the
// uploads waiting for a holder, mirrors behind, failed samples).

#include "core/options.h"

namespace honeyvt::cli {

int PrintFleetStatus(const Options& options, bool json, int max_failures);

}  // namespace honeyvt::cli
