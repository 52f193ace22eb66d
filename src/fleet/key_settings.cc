#include "fleet/key_settings.h"

#include "pipeline/quota.h"

namespace honeyvt::fleet {

Result<pg::KeySettings> KeySettingsFrom(const Options& options) {
  ASSIGN_OR_RETURN(std::vector<pipeline::QuotaWindow> windows,
                   pipeline::ParseQuotaWindows(options.quota));
  pg::KeySettings key;
  for (const auto& w : windows) {
    pg::WindowDef d;
    d.spec = w.spec;
    d.limit = w.limit;
    switch (w.kind) {
      case pipeline::QuotaWindow::Kind::kSliding:
        d.kind = "sliding";
        d.length = std::chrono::duration_cast<std::chrono::milliseconds>(w.length);
        break;
      case pipeline::QuotaWindow::Kind::kUtcDays:
        d.kind = "days";
        d.periods = w.periods;
        break;
      case pipeline::QuotaWindow::Kind::kUtcMonths:
        d.kind = "months";
        d.periods = w.periods;
        break;
    }
    key.windows.push_back(std::move(d));
  }
  key.sliding_margin = options.fleet_sliding_margin;
  key.boundary_guard = options.fleet_boundary_guard;
  key.send_deadline = options.fleet_send_deadline;
  return key;
}

}  // namespace honeyvt::fleet
