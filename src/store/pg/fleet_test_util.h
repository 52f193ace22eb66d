#pragma once
// Test-only helpers for the fleet store tests: a registered worker on a test database.

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/pg/fleet_db.h"
#include "store/pg/pg_testing.h"

namespace honeyvt::pg::testing {

inline const TimePoint kT0 = FromUnixSeconds(std::int64_t{1700000000});
inline constexpr char kFingerprint[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

inline WindowDef Sliding(const std::string& spec, std::int64_t limit,
                         std::chrono::milliseconds len) {
  return WindowDef{spec, "sliding", limit, len, 1};
}
inline WindowDef Calendar(const std::string& spec, const std::string& kind, std::int64_t limit) {
  return WindowDef{spec, kind, limit, std::chrono::milliseconds(0), 1};
}

// A FleetDb registered as a worker of `sensor`, using the test key with `settings`.
inline FleetDb Worker(const TestDatabase& db, const std::string& sensor,
                      const KeySettings& settings = {},
                      UploadPolicy policy = UploadPolicy::kAlways) {
  auto fleet = FleetDb::Open(db.dsn(), "test/" + sensor);
  if (!fleet) throw std::runtime_error(fleet.error().ToString());
  auto check = [](const Status& st) {
    if (!st) throw std::runtime_error(st.error().ToString());
  };
  check(fleet->UseSensor(sensor, policy));
  check(fleet->UseKey(kFingerprint, settings));
  check(fleet->RegisterWorker("testhost", 1, "test"));
  check(fleet->HoldWorkerLock());
  return std::move(*fleet);
}

inline domain::EnqueueItem Item(const std::string& md5, const std::string& path = "",
                                int priority = 0) {
  return domain::EnqueueItem{md5, "", "", path, "test", priority};
}

// An md5 made of the hex digits of i.
inline std::string Md5Of(int i) {
  char md5[33];
  std::snprintf(md5, sizeof md5, "%032x", static_cast<unsigned>(i));
  return md5;
}

// Queues n lookups (md5s Md5Of(0) ... Md5Of(n - 1)).
inline void EnqueueLookups(FleetDb& w, int n) {
  std::vector<domain::EnqueueItem> items;
  for (int i = 0; i < n; ++i) items.push_back(Item(Md5Of(i)));
  ASSERT_TRUE(w.Enqueue(items, kT0));
}

// Fixes the database clock of this connection (honeyvt.clock()) at `utc`.
inline void SetDbTime(FleetDb& w, const char* utc) {
  ASSERT_TRUE(
      w.connection().Query("SELECT set_config('honeyvt.test_now', $1, false)", Params(utc)));
}

inline std::int64_t Scalar(FleetDb& db, const std::string& sql, const Params& params = {}) {
  auto r = db.connection().Query(sql, params);
  if (!r) throw std::runtime_error(r.error().ToString());
  return r->Int64(0, 0);
}

}  // namespace honeyvt::pg::testing
