#pragma once
// The whole fleet as one logsql file, so that every `honeyvt report` runs unchanged on
// the fleet's data (`honeyvt report REPORT --fleet`): a fresh dionaea database whose
// `downloads` are the fleet's sightings (one connection and one download per sample and
// sensor: local_host = the sensor's name, connection_timestamp = its first sighting,
// download_url = fleet://SENSOR/PATH) and whose virustotals / virustotalscans /
// honeyvt_reports hold every report of the central history, written by the same code
// as on a single host. Download counts therefore count sensors, and --since/--until
// select by first sighting. Samples known by sha1/sha256 only have no download row.

#include <filesystem>

#include "core/clock.h"
#include "core/options.h"
#include "core/result.h"
#include "store/pg/fleet_db.h"

namespace honeyvt::fleet {

struct ExportCounts {
  std::int64_t sightings = 0, reports = 0;
};

// `out` must not exist.
Result<ExportCounts> ExportLogsql(pg::FleetDb& db, const std::filesystem::path& out, Clock& clock);

// The export in a private temporary folder, removed with this object (`report --fleet`).
class FleetSnapshot {
 public:
  // kInvalidArgument without fleet_dsn.
  static Result<FleetSnapshot> Take(const Options& options);
  FleetSnapshot(FleetSnapshot&& other) noexcept : dir_(std::move(other.dir_)) {
    other.dir_.clear();
  }
  FleetSnapshot& operator=(FleetSnapshot&&) = delete;
  ~FleetSnapshot();
  std::filesystem::path logsql() const { return dir_ / "fleet.sqlite"; }

 private:
  explicit FleetSnapshot(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace honeyvt::fleet
