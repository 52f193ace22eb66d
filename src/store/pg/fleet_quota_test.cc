// The exact shared quota: claim + reservation in one transaction, windows, boundaries,
// refunds, quota replies, and the clock read after the key lock.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "store/pg/fleet_test_util.h"
#include "store/pg/transaction.h"

namespace honeyvt::pg {
namespace {

using domain::JobState;
using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using std::chrono::milliseconds;
using Outcome = ReservedClaim::Outcome;

constexpr milliseconds kLease{60000};

KeySettings Windows(std::vector<WindowDef> w, milliseconds guard = milliseconds(120000)) {
  KeySettings k;
  k.windows = std::move(w);
  k.sliding_margin = milliseconds(0);
  k.boundary_guard = guard;
  return k;
}

Result<ReservedClaim> ClaimOne(FleetDb& w,
                               TimePoint due = FromUnixSeconds(std::int64_t{4000000000})) {
  return w.ClaimReserved(JobState::kLookup, due, 1, kLease, "lookup", 1, milliseconds(0));
}

TEST(FleetQuotaTest, NothingDueTakesNoLockAndSpendsNothing) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a", Windows({Sliding("4/1m", 4, milliseconds(60000))}));
  auto c = ClaimOne(w);
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->outcome, Outcome::kEmpty);
  EXPECT_EQ(Scalar(w, "SELECT count(*) FROM honeyvt.quota_ledger"), 0);
}

TEST(FleetQuotaTest, TheSlidingWindowCountsRequestsUntilTheirAnswerLeavesIt) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a", Windows({Sliding("2/1s", 2, milliseconds(1000))}));
  EnqueueLookups(w, 5);
  auto a = ClaimOne(w);
  auto b = w.ClaimReserved(JobState::kLookup, FromUnixSeconds(std::int64_t{4000000000}), 1, kLease,
                           "lookup", 1, milliseconds(600000));  // in flight for long
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->outcome, Outcome::kGranted);
  EXPECT_EQ(b->outcome, Outcome::kGranted);
  EXPECT_EQ(a->jobs.size(), 1u);
  auto c = ClaimOne(w);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->outcome, Outcome::kDenied);
  ASSERT_TRUE(c->retry_at);
  EXPECT_GE(*c->retry_at, c->db_time);
  EXPECT_LE(*c->retry_at - c->db_time, milliseconds(1001));
  // One second later the first has left, the second is still in flight: one slot.
  std::this_thread::sleep_for(milliseconds(1050));
  auto d = ClaimOne(w);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->outcome, Outcome::kGranted);
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kDenied);
  // Once answered, the in-flight one counts from its answer: a second more.
  ASSERT_TRUE(w.SettleReservation(b->ledger_id, "answered"));
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kDenied);
  EXPECT_EQ(Scalar(w, "SELECT count(*) FROM honeyvt.quota_ledger"), 3);
}

TEST(FleetQuotaTest, ARefundedReservationGivesItsQuotaBack) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(
      db, "a", Windows({Sliding("1/1h", 1, milliseconds(3600000)), Calendar("10/1d", "days", 10)}));
  EnqueueLookups(w, 3);
  auto a = ClaimOne(w);
  ASSERT_TRUE(a && a->outcome == Outcome::kGranted);
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kDenied);
  ASSERT_TRUE(w.RefundReservation(a->ledger_id, "unused"));
  EXPECT_EQ(Scalar(w, "SELECT coalesce(sum(used), 0) FROM honeyvt.quota_usage"), 0);
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
}

TEST(FleetQuotaTest, GrantsNearMidnightAreChargedToBothDaysAndNeedRoomInBoth) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a", Windows({Calendar("3/1d", "days", 3)}));
  EnqueueLookups(w, 20);
  // 23:50: far from midnight; only 30 Jan counts.
  SetDbTime(w, "2026-01-30 23:50:00+00");
  ASSERT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
  ASSERT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
  // 23:59:50, within the 120 s guard: charged to 30 and 31 Jan.
  SetDbTime(w, "2026-01-30 23:59:50+00");
  ASSERT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
  EXPECT_EQ(Scalar(w,
                   "SELECT used FROM honeyvt.quota_usage WHERE period_start = "
                   "'2026-01-30 00:00+00'"),
            3);
  EXPECT_EQ(Scalar(w,
                   "SELECT used FROM honeyvt.quota_usage WHERE period_start = "
                   "'2026-01-31 00:00+00'"),
            1);
  // 00:00:30 on the 31st: still within the guard, and the 30th is full: refused until
  // the guard has passed.
  SetDbTime(w, "2026-01-31 00:00:30+00");
  auto refused = ClaimOne(w);
  ASSERT_EQ(refused->outcome, Outcome::kDenied);
  auto expect = w.connection().Query("SELECT honeyvt.us('2026-01-31 00:02:00+00')");
  EXPECT_EQ(*refused->retry_at, expect->Time(0, 0));
  // 00:02:30: past the guard; the 31st had one request charged already.
  SetDbTime(w, "2026-01-31 00:02:30+00");
  ASSERT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
  ASSERT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kDenied);
}

TEST(FleetQuotaTest, TheMonthRollsOnTheFirstWithTheSameGuard) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a", Windows({Calendar("2/1mo", "months", 2)}));
  EnqueueLookups(w, 10);
  SetDbTime(w, "2026-02-27 12:00:00+00");
  ASSERT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
  // 28 Feb 23:59:00 (2026 is no leap year): also charged to March.
  SetDbTime(w, "2026-02-28 23:59:00+00");
  ASSERT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
  EXPECT_EQ(Scalar(w,
                   "SELECT used FROM honeyvt.quota_usage WHERE period_start = "
                   "'2026-03-01 00:00+00'"),
            1);
  SetDbTime(w, "2026-02-28 23:59:30+00");
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kDenied);  // February is full
  SetDbTime(w, "2026-03-01 00:03:00+00");
  ASSERT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);  // March: 1 + 1
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kDenied);
}

TEST(FleetQuotaTest, AQuotaReplyBlocksTheKeyAndARepeatSpendsTheDay) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(
      db, "a", Windows({Sliding("4/1s", 4, milliseconds(1000)), Calendar("100/1d", "days", 100)}));
  FleetDb other = Worker(db, "b");
  EnqueueLookups(w, 10);
  SetDbTime(w, "2026-05-05 10:00:00+00");
  SetDbTime(other, "2026-05-05 10:00:00.5+00");
  auto a = ClaimOne(w);
  auto b = ClaimOne(w);
  ASSERT_EQ(a->outcome, Outcome::kGranted);
  auto until = w.QuotaReply(a->ledger_id, std::nullopt);
  ASSERT_TRUE(until) << until.error().ToString();
  // Every worker of the key is blocked, not only the one that saw the reply.
  auto blocked = other.ClaimReserved(JobState::kLookup, FromUnixSeconds(std::int64_t{4000000000}),
                                     1, kLease, "lookup", 1, milliseconds(0));
  ASSERT_TRUE(blocked);
  EXPECT_EQ(blocked->outcome, Outcome::kDenied);
  EXPECT_EQ(*blocked->retry_at, *until);
  // The second request was sent before the block: the same surprise, no escalation.
  ASSERT_TRUE(w.QuotaReply(b->ledger_id, std::nullopt));
  EXPECT_EQ(Scalar(w, "SELECT block_level FROM honeyvt.api_keys"), 1);
  // Right after the block: another surprise. The day is spent; today's estimate drops.
  SetDbTime(w, "2026-05-05 10:00:02+00");
  auto c = ClaimOne(w);
  ASSERT_EQ(c->outcome, Outcome::kGranted);
  auto day = w.QuotaReply(c->ledger_id, std::nullopt);
  ASSERT_TRUE(day);
  EXPECT_EQ(Scalar(w, "SELECT block_level FROM honeyvt.api_keys"), 2);
  auto expect = w.connection().Query("SELECT honeyvt.us('2026-05-06 00:02:00+00')");
  EXPECT_EQ(*day, expect->Time(0, 0));
  EXPECT_EQ(Scalar(w, "SELECT cap_override FROM honeyvt.quota_windows WHERE kind = 'days'"), 3);
  SetDbTime(w, "2026-05-05 18:00:00+00");
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kDenied);
  SetDbTime(w, "2026-05-06 00:02:01+00");
  EXPECT_EQ(ClaimOne(w)->outcome, Outcome::kGranted);
  // Retry-After is honoured even when longer than the block.
  auto d = ClaimOne(w);
  auto ra = w.QuotaReply(d->ledger_id, std::chrono::seconds(3600));
  EXPECT_GE(*ra - FromUnixSeconds(std::int64_t{0}), std::chrono::seconds(0));
  auto expect_ra = w.connection().Query("SELECT honeyvt.us('2026-05-06 01:02:01+00')");
  EXPECT_EQ(*ra, expect_ra->Time(0, 0));
}

// Regression guard for the now() pitfall: 16 reservers that each idle a random time inside
// their transaction before reserving. Decided on the transaction's start time, actual
// reservation times would overrun the window; the clock read after the key lock keeps
// every window of real time at or below the limit.
TEST(FleetQuotaTest, ConcurrentReserversNeverOverrunTheWindowInRealTime) {
  HONEYVT_PG_DATABASE(db);
  const KeySettings k = Windows({Sliding("4/300ms", 4, milliseconds(300))});
  FleetDb seed = Worker(db, "seed", k);
  EnqueueLookups(seed, 48);
  constexpr int kThreads = 16;
  std::vector<std::jthread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      FleetDb w = Worker(db, "r" + std::to_string(t), k);
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int round = 0; round < 200; ++round) {
        auto tx = Transaction::Begin(w.connection());
        ASSERT_TRUE(tx);
        ASSERT_TRUE(w.connection().Query("SELECT now()"));  // the transaction has started
        std::this_thread::sleep_for(milliseconds(rng() % 200));
        auto r = w.connection().Query(
            "SELECT outcome FROM honeyvt.claim($1, $2, $3, 'lookup', 4000000000000000, 1, "
            "60000000, 'lookup', 1, 0)",
            Params(w.identity().key_id, w.identity().worker_id, w.identity().sensor_id));
        ASSERT_TRUE(r) << r.error().ToString();
        ASSERT_TRUE(tx->Commit());
        if (Scalar(w, "SELECT count(*) FROM honeyvt.jobs WHERE lease_owner IS NULL") == 0) return;
      }
    });
  }
  threads.clear();
  auto times = seed.connection().Query(
      "SELECT honeyvt.us(reserved_at), honeyvt.us(recorded_at) - honeyvt.us(reserved_at) "
      "FROM honeyvt.quota_ledger ORDER BY reserved_at");
  ASSERT_TRUE(times);
  ASSERT_EQ(times->rows(), 48);
  std::vector<std::int64_t> lag;
  for (int i = 0; i < times->rows(); ++i) {
    lag.push_back(times->Int64(i, 1));
    // Five consecutive reservations span at least the window.
    if (i >= 4) {
      EXPECT_GE(times->Int64(i, 0) - times->Int64(i - 4, 0), 300000) << "reservation " << i;
    }
  }
  // ... and each was decided at the time it was made: the decision time is the clock read
  // after the lock, microseconds before the row was written. (Decided on the stale start
  // of its transaction, they would lag by the idle time, 0-200 ms: 100 ms in the median.)
  std::sort(lag.begin(), lag.end());
  EXPECT_LT(lag[lag.size() / 2], 50000) << "median decision lag in microseconds";
}

}  // namespace
}  // namespace honeyvt::pg
