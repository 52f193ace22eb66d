#include "cli/status_fleet.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "fleet/service.h"
#include "store/pg/dsn.h"
#include "store/pg/fleet_db.h"

namespace honeyvt::cli {
namespace {

using pg::FleetStatus;

std::string Age(TimePoint t, TimePoint now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now - t).count();
  if (s < 120) return fmt::format("{} s", std::max<std::int64_t>(s, 0));
  if (s < 7200) return fmt::format("{} min", s / 60);
  return fmt::format("{:.1f} h", static_cast<double>(s) / 3600);
}

std::string In(TimePoint t, TimePoint now) {
  if (t <= now) return "now";
  return "in " + Age(now, t);
}

std::string Utc(TimePoint t) {
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", std::chrono::floor<std::chrono::seconds>(t));
}

void PrintText(const FleetStatus& s, const std::string& dsn) {
  const TimePoint now = s.db_time;
  std::cout << "fleet " << dsn << " (database time " << Utc(now) << ")\n";
  std::cout << "sensors:\n";
  for (const auto& x : s.sensors) {
    std::cout << fmt::format(
        "  {:<20} {} live worker(s), {} sample(s) sighted ({} with the file), "
        "uploads {}, mirror {} report(s) behind\n",
        x.name, x.live_workers, x.samples, x.files, x.upload_policy, x.mirror_behind);
  }
  std::cout << "workers:\n";
  for (const auto& w : s.workers) {
    std::cout << fmt::format("  #{:<5} {:<20} {}:{} {}", w.id, w.sensor, w.host, w.pid,
                             w.alive ? "alive" : (w.stopped_at ? "stopped" : "NOT RESPONDING"));
    std::cout << ", heartbeat " << Age(w.heartbeat_at, now) << " ago";
    if (w.leased > 0) std::cout << ", " << w.leased << " job(s) leased";
    if (w.stopped_at)
      std::cout << ", stopped " << Age(*w.stopped_at, now) << " ago (" << w.stop_reason << ")";
    std::cout << "\n";
  }
  for (const auto& k : s.keys) {
    std::cout << "API key " << k.fingerprint << "... (sha256), " << k.in_flight
              << " request(s) in flight:\n";
    if (k.quota.windows.empty()) std::cout << "  (no limits configured)\n";
    for (const auto& w : k.quota.windows) {
      std::cout << fmt::format("  {:<10} {} of {} used; next request {}", w.spec, w.used, w.limit,
                               In(w.opens_at, now));
      if (w.used > 0) std::cout << "; frees up " << In(w.resets_at, now);
      std::cout << "\n";
    }
    if (k.quota.blocked_until && *k.quota.blocked_until > now) {
      std::cout << "  BLOCKED until " << Utc(*k.quota.blocked_until) << ": " << k.quota.block_reason
                << "\n";
    }
  }
  std::cout << "jobs:";
  for (const auto& c : s.counts)
    std::cout << "  " << domain::JobStateName(c.state) << " " << c.count;
  std::cout << "\n  uploads waiting for a holder (no live worker of a sensor with the file may "
               "upload): "
            << s.waiting_for_holder << "\nreports: " << s.reports << "\n";
  if (!s.failures.empty()) {
    std::cout << "failed samples (newest first; `honeyvt retry --failed` retries them):\n";
    for (const auto& j : s.failures)
      std::cout << "  " << j.LookupHash() << "  " << j.last_error << "\n";
  }
}

nlohmann::json Json(const FleetStatus& s) {
  auto t = [](TimePoint p) { return ToUnixSecondsInt(p); };
  nlohmann::json j;
  j["now"] = t(s.db_time);
  j["sensors"] = nlohmann::json::array();
  for (const auto& x : s.sensors) {
    j["sensors"].push_back({{"name", x.name},
                            {"upload", x.upload_policy},
                            {"live_workers", x.live_workers},
                            {"samples", x.samples},
                            {"files", x.files},
                            {"mirror_behind", x.mirror_behind}});
  }
  j["workers"] = nlohmann::json::array();
  for (const auto& w : s.workers) {
    j["workers"].push_back(
        {{"id", w.id},
         {"sensor", w.sensor},
         {"host", w.host},
         {"pid", w.pid},
         {"version", w.version},
         {"alive", w.alive},
         {"heartbeat_age_s", ToUnixSeconds(s.db_time) - ToUnixSeconds(w.heartbeat_at)},
         {"leased", w.leased},
         {"stopped_at", w.stopped_at ? nlohmann::json(t(*w.stopped_at)) : nlohmann::json()},
         {"stop_reason", w.stop_reason}});
  }
  j["keys"] = nlohmann::json::array();
  for (const auto& k : s.keys) {
    nlohmann::json key{{"fingerprint", k.fingerprint}, {"in_flight", k.in_flight}};
    key["blocked_until"] =
        k.quota.blocked_until ? nlohmann::json(t(*k.quota.blocked_until)) : nlohmann::json();
    key["block_reason"] = k.quota.block_reason;
    key["windows"] = nlohmann::json::array();
    for (const auto& w : k.quota.windows) {
      key["windows"].push_back({{"window", w.spec},
                                {"used", w.used},
                                {"limit", w.limit},
                                {"next_request_at", t(std::max(w.opens_at, s.db_time))},
                                {"frees_at", t(w.resets_at)}});
    }
    j["keys"].push_back(key);
  }
  for (const auto& c : s.counts) j["jobs"][std::string(domain::JobStateName(c.state))] = c.count;
  j["waiting_for_holder"] = s.waiting_for_holder;
  j["reports"] = s.reports;
  j["failures"] = nlohmann::json::array();
  for (const auto& f : s.failures) {
    j["failures"].push_back({{"md5", f.md5}, {"sha256", f.sha256}, {"reason", f.last_error}});
  }
  return j;
}

}  // namespace

int PrintFleetStatus(const Options& options, bool json, int max_failures) {
  const std::string dsn = options.FleetDsn();
  if (dsn.empty()) {
    PrintError(
        "--fleet: no fleet database configured (fleet_dsn, or state = \"postgresql://...\")");
    return kExitUsage;
  }
  auto db = pg::FleetDb::Open(dsn, fleet::SensorName(options) + "/status");
  if (!db) {
    PrintError(db.error().message);
    return kExitFailure;
  }
  auto status = db->ReadFleetStatus(options.fleet_heartbeat * 3, max_failures);
  if (!status) {
    PrintError(status.error().message);
    return kExitFailure;
  }
  if (json) {
    std::cout << Json(*status).dump(2) << "\n";
  } else {
    PrintText(*status, pg::RedactDsn(dsn));
  }
  return kExitOk;
}

}  // namespace honeyvt::cli
