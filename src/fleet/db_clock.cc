#include "fleet/db_clock.h"

namespace honeyvt::fleet {

void DbClock::Calibrate(TimePoint db_time, TimePoint sent, TimePoint received) {
  const TimePoint mid = sent + (received - sent) / 2;
  offset_.store((db_time - mid).count(), std::memory_order_relaxed);
}

}  // namespace honeyvt::fleet
