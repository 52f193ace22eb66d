#pragma once
// The quota settings a worker offers for its API key, from its configuration: the
// `quota` windows (parsed as the single-host governor parses them) and the fleet_*
// margins. The first worker of a key fixes them for the fleet (pg::FleetDb::UseKey).

#include "core/options.h"
#include "store/pg/fleet_db.h"

namespace honeyvt::fleet {

Result<pg::KeySettings> KeySettingsFrom(const Options& options);

}  // namespace honeyvt::fleet
