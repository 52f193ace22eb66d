#include "fleet/queue.h"

#include "fleet/service.h"
#include "store/pg/dsn.h"
#include "store/pg/fleet_db.h"
#include "store/state_db.h"

namespace honeyvt::fleet {

Result<Queue> OpenQueue(const Options& options, bool create) {
  Queue q;
  if (const std::string dsn = options.FleetDsn(); !dsn.empty()) {
    const std::string sensor = SensorName(options);
    ASSIGN_OR_RETURN(pg::FleetDb db, pg::FleetDb::Open(dsn, sensor + "/cli"));
    RETURN_IF_ERROR(db.UseSensor(sensor, options.upload));
    auto fleet = std::make_unique<pg::FleetDb>(std::move(db));
    q.usage = fleet.get();
    q.jobs = std::move(fleet);
    q.where = "fleet " + pg::RedactDsn(dsn) + ", sensor " + sensor;
    q.fleet = true;
    return q;
  }
  ASSIGN_OR_RETURN(store::StateDb db, create ? store::StateDb::Open(options.StatePath())
                                             : store::StateDb::OpenExisting(options.StatePath()));
  auto state = std::make_unique<store::StateDb>(std::move(db));
  q.usage = state.get();
  q.jobs = std::move(state);
  q.where = "state " + options.StatePath().string();
  return q;
}

}  // namespace honeyvt::fleet
