// Fleet claim throughput (issue 17): claims + completions per second with 1 to 8 workers
// on one PostgreSQL, no VirusTotal (the "transport" is a stub: the request step is empty).
// Every claim is the production one, with its quota reservation: the key row locked, the
// windows checked, the ledger row written (a sliding window that never binds, "1000000/1s");
// every completion is the fenced finish plus the settle of the reservation.
//
//   build/bench/fleet_claim_bench DSN [SECONDS_PER_POINT] [JOBS]
//
// DSN: a maintenance DSN of a cluster with the honeyvt_template database (bench/fleet.sh
// starts one with scripts/pg-test-cluster); the bench works in a database of its own.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "store/pg/connection.h"
#include "store/pg/fleet_db.h"

namespace {

using honeyvt::TimePoint;
using honeyvt::pg::FleetDb;
using honeyvt::pg::ReservedClaim;
using std::chrono::milliseconds;

constexpr char kFingerprint[] = "bench000000000000000000000000000000000000000000000000000000000000";

FleetDb Worker(const std::string& dsn, int i) {
  auto db = FleetDb::Open(dsn, "bench");
  if (!db) throw std::runtime_error(db.error().ToString());
  honeyvt::pg::KeySettings key;
  key.windows = {{"1000000/1s", "sliding", 1000000, milliseconds(1000), 1}};
  key.sliding_margin = milliseconds(0);
  auto check = [](const honeyvt::Status& st) {
    if (!st) throw std::runtime_error(st.error().ToString());
  };
  check(db->UseSensor("sensor-" + std::to_string(i % 4), honeyvt::UploadPolicy::kAlways));
  check(db->UseKey(kFingerprint, key));
  check(db->RegisterWorker("bench", i, "bench"));
  return std::move(*db);
}

// Claims and completes jobs until `stop`; returns how many.
std::int64_t Loop(FleetDb& db, const std::atomic<bool>& stop) {
  const TimePoint due = honeyvt::FromUnixSeconds(std::int64_t{4000000000});
  const honeyvt::domain::Lease lease{db.identity().worker_id, due};
  std::int64_t done = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    auto claim = db.ClaimReserved(honeyvt::domain::JobState::kLookup, due, 1, milliseconds(60000),
                                  "lookup", 1, milliseconds(10000));
    if (!claim) throw std::runtime_error(claim.error().ToString());
    if (claim->outcome != ReservedClaim::Outcome::kGranted) break;  // queue empty
    if (!db.SettleReservation(claim->ledger_id, "answered")) throw std::runtime_error("settle");
    for (auto& job : claim->jobs) {
      job.state = honeyvt::domain::JobState::kDone;
      job.next_action_at = due;
      if (!db.Finish(job, lease, due)) throw std::runtime_error("finish");
      ++done;
    }
  }
  return done;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fleet_claim_bench DSN [SECONDS_PER_POINT] [JOBS]\n");
    return 2;
  }
  const std::string admin = argv[1];
  const double seconds = argc > 2 ? std::stod(argv[2]) : 5.0;
  const int jobs = argc > 3 ? std::stoi(argv[3]) : 40000;
  auto conn = honeyvt::pg::Connection::Open(admin);
  if (!conn) return std::fprintf(stderr, "%s\n", conn.error().ToString().c_str()), 1;
  const std::string name = "fleet_claim_bench";
  (void)conn->Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  if (auto st = conn->Exec("CREATE DATABASE " + name + " TEMPLATE honeyvt_template"); !st) {
    return std::fprintf(stderr, "%s\n", st.error().ToString().c_str()), 1;
  }
  const std::string dsn = admin + " dbname=" + name;
  std::printf(
      "fleet claim throughput: claim with quota reservation + settle + fenced finish, "
      "no VirusTotal; %.0f s per point, %d queued lookups\n",
      seconds, jobs);
  for (int workers : {1, 2, 4, 8}) {
    FleetDb seed = Worker(dsn, 100);
    (void)seed.connection().Exec("TRUNCATE honeyvt.jobs, honeyvt.quota_ledger CASCADE");
    std::vector<honeyvt::domain::EnqueueItem> items;
    for (int i = 0; i < jobs; ++i) {
      char md5[33];
      std::snprintf(md5, sizeof md5, "%032x", static_cast<unsigned>(i + 1));
      items.push_back({md5, "", "", "", "bench", 0});
    }
    if (auto st = seed.Enqueue(items, honeyvt::FromUnixSeconds(std::int64_t{1700000000})); !st) {
      return std::fprintf(stderr, "%s\n", st.error().ToString().c_str()), 1;
    }
    (void)seed.connection().Exec("VACUUM ANALYZE honeyvt.jobs");
    std::vector<FleetDb> dbs;
    for (int i = 0; i < workers; ++i) dbs.push_back(Worker(dsn, i));
    std::atomic<bool> stop{false};
    std::vector<std::int64_t> counts(static_cast<std::size_t>(workers), 0);
    const auto t0 = std::chrono::steady_clock::now();
    {
      std::vector<std::jthread> threads;
      for (int i = 0; i < workers; ++i) {
        threads.emplace_back([&, i] {
          counts[static_cast<std::size_t>(i)] = Loop(dbs[static_cast<std::size_t>(i)], stop);
        });
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      stop.store(true);
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::int64_t total = 0;
    for (auto c : counts) total += c;
    const auto dupes =
        seed.connection().Query("SELECT count(*) FROM honeyvt.jobs WHERE state = 'done'");
    std::printf("  %d worker(s): %6.0f claims+completions/s (%lld in %.1f s; %lld jobs done)\n",
                workers, static_cast<double>(total) / secs, static_cast<long long>(total), secs,
                static_cast<long long>(dupes ? dupes->Int64(0, 0) : -1));
    std::fflush(stdout);
  }
  (void)conn->Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  return 0;
}
