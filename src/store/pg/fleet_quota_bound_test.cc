// The sliding windows' bound (quota_windows.slide_*): a check far from the limit does not
// sum the ledger, and whatever counts a request longer than it was counted voids the
// bound, so that the bound never lets a request through that the ledger would refuse.
#include <gtest/gtest.h>

#include <functional>

#include "store/pg/fleet_test_util.h"

namespace honeyvt::pg {
namespace {

using domain::JobState;
using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using std::chrono::milliseconds;
using Outcome = ReservedClaim::Outcome;

KeySettings Window(std::int64_t limit, milliseconds length) {
  KeySettings k;
  k.windows = {Sliding(std::to_string(limit) + "/window", limit, length)};
  k.sliding_margin = milliseconds(0);
  return k;
}

// A lookup claimed with a reservation in flight for at most `ceiling`.
Result<ReservedClaim> Claim(FleetDb& w, milliseconds ceiling = milliseconds(1000)) {
  return w.ClaimReserved(JobState::kLookup, FromUnixSeconds(std::int64_t{4000000000}), 1,
                         milliseconds(600000), "lookup", 1, ceiling);
}

TEST(FleetQuotaBoundTest, AWindowFarFromFullIsCheckedWithoutSummingTheLedger) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a", Window(1000, milliseconds(60000)));
  EnqueueLookups(w, 3);
  SetDbTime(w, "2026-03-01 12:00:00+00");
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);  // no bound yet: the ledger is summed
  SetDbTime(w, "2026-03-01 12:00:10+00");
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);  // 0 + 1 + 1 <= 1000: the bound holds
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);
  EXPECT_EQ(Scalar(w, "SELECT honeyvt.us(slide_at) / 1000000 FROM honeyvt.quota_windows"),
            Scalar(w, "SELECT extract(epoch FROM timestamptz '2026-03-01 12:00:00+00')::bigint"));
  EXPECT_EQ(Scalar(w, "SELECT slide_used FROM honeyvt.quota_windows"), 0);
  EXPECT_EQ(Scalar(w, "SELECT slide_charged FROM honeyvt.quota_windows"), 3);
}

TEST(FleetQuotaBoundTest, ANearlyFullWindowIsSummedAndItsBoundRenewed) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a", Window(2, milliseconds(10000)));
  EnqueueLookups(w, 4);
  SetDbTime(w, "2026-03-01 12:00:00+00");
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);  // bound 0 + 1 + 1 = 2: fits
  ASSERT_EQ(Claim(w)->outcome, Outcome::kDenied);   // bound 3 > 2: summed, truly full
  // Both have left the window 11 s after their ceiling: the bound says 3, the sum 0.
  SetDbTime(w, "2026-03-01 12:00:12+00");
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);
  EXPECT_EQ(Scalar(w, "SELECT slide_used FROM honeyvt.quota_windows"), 0);
  EXPECT_EQ(Scalar(w, "SELECT slide_charged FROM honeyvt.quota_windows"), 1);
}

TEST(FleetQuotaBoundTest, AnImportedRequestIsChargedToTheBound) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a", Window(2, milliseconds(10000)));
  EnqueueLookups(w, 3);
  SetDbTime(w, "2026-03-01 12:00:00+00");
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);  // the bound starts: 0, then 1 charged
  const TimePoint at =
      FromUnixSeconds(Scalar(w, "SELECT extract(epoch FROM honeyvt.clock())::bigint"));
  auto imported = w.RecordRequest(at, "imported");
  ASSERT_TRUE(imported) << imported.error().ToString();
  EXPECT_EQ(Scalar(w, "SELECT slide_charged FROM honeyvt.quota_windows"), 2);
  EXPECT_EQ(Claim(w)->outcome, Outcome::kDenied);  // bound 3 > 2, and the sum says 2
}

// A request counted until its ceiling (1 s), then answered much later: its window runs
// from the answer. Before the answer a newer bound was taken that left it out; the late
// answer must void that bound, or the fourth request would overrun the window (2 in 10 s).
void LateAnswerVoidsTheBound(const std::function<void(FleetDb&, std::int64_t)>& answer_late) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w = Worker(db, "a", Window(2, milliseconds(10000)));
  EnqueueLookups(w, 5);
  SetDbTime(w, "2026-03-01 12:00:00+00");
  auto late = Claim(w);
  ASSERT_EQ(late->outcome, Outcome::kGranted);
  SetDbTime(w, "2026-03-01 12:00:20+00");
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);  // bound 0 + 1 + 1: fits
  SetDbTime(w, "2026-03-01 12:00:40+00");
  ASSERT_EQ(Claim(w)->outcome, Outcome::kGranted);  // bound 3: summed (0), renewed at :40
  SetDbTime(w, "2026-03-01 12:00:41+00");
  answer_late(w, late->ledger_id);
  SetDbTime(w, "2026-03-01 12:00:42+00");
  // In the window now: the late one (answered :41) and the one of :40. Full.
  auto next = Claim(w);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->outcome, Outcome::kDenied);
  EXPECT_EQ(Scalar(w, "SELECT count(*) FROM honeyvt.quota_ledger WHERE cost > 0"), 3);
}

TEST(FleetQuotaBoundTest, AnAnswerLaterThanItsCeilingVoidsTheBound) {
  LateAnswerVoidsTheBound([](FleetDb& w, std::int64_t ledger) {
    ASSERT_TRUE(w.SettleReservation(ledger, "answered"));
  });
}

TEST(FleetQuotaBoundTest, AQuotaReplyLaterThanItsCeilingVoidsTheBound) {
  LateAnswerVoidsTheBound([](FleetDb& w, std::int64_t ledger) {
    ASSERT_TRUE(w.connection().Query("SELECT honeyvt.quota_reply($1, $2, 0)",
                                     Params(w.identity().key_id, ledger)));
    // (The reply also blocks the key; lift the block to see the window alone.)
    ASSERT_TRUE(w.connection().Query("UPDATE honeyvt.api_keys SET blocked_until = NULL"));
  });
}

TEST(FleetQuotaBoundTest, TheUsageInterfacesSettleVoidsTheBound) {
  LateAnswerVoidsTheBound([](FleetDb& w, std::int64_t ledger) {
    ASSERT_TRUE(w.SettleRequest(
        ledger, FromUnixSeconds(Scalar(w, "SELECT extract(epoch FROM honeyvt.clock())::bigint"))));
  });
}

}  // namespace
}  // namespace honeyvt::pg
