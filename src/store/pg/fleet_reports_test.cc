// Results: one current report per md5 in dionaea's layout, the history, fencing, and the
// feed that the sensors' local logsql mirrors follow.
#include <gtest/gtest.h>

#include "store/pg/fleet_test_util.h"

namespace honeyvt::pg {
namespace {

using domain::FileReport;
using domain::Job;
using domain::JobState;
using namespace testing;  // NOLINT(google-build-using-namespace): test helpers

FileReport Report(const std::string& md5, std::int64_t date, int detected) {
  FileReport r;
  r.md5 = md5;
  r.sha256 = std::string(64, 'a');
  r.last_analysis_date = date;
  r.permalink = "https://www.virustotal.com/gui/file/" + r.sha256;
  r.raw_json = "{}";
  for (int i = 0; i < 4; ++i) {
    domain::EngineResult e;
    e.engine = "Engine" + std::to_string(i);
    e.engine_name = e.engine;
    e.category = i < detected ? "malicious" : "undetected";
    if (i < detected) e.result = "Worm.X";
    r.engines.push_back(e);
  }
  domain::EngineResult skipped;
  skipped.engine = "ML";
  skipped.category = "type-unsupported";
  r.engines.push_back(skipped);
  return r;
}

Job ClaimOne(FleetDb& w) {
  auto jobs = w.Claim(JobState::kLookup, kT0 + std::chrono::hours(10), 1,
                      {w.identity().worker_id, kT0 + std::chrono::hours(11)});
  if (!jobs || jobs->size() != 1) throw std::runtime_error("no job");
  return (*jobs)[0];
}

TEST(FleetReportsTest, AReportIsStoredOnceAndOnlyByTheLeaseHolder) {
  HONEYVT_PG_DATABASE(db);
  FleetDb w1 = Worker(db, "a");
  FleetDb w2 = Worker(db, "b");
  const std::string md5 = Md5Of(1);
  ASSERT_TRUE(w1.Enqueue(std::vector{Item(md5)}, kT0));
  Job mine = ClaimOne(w1);
  auto first = w1.StoreReport(mine, Report(md5, 1700000000, 2), 3, kT0);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(*first, ReportWrite::kWritten);
  EXPECT_EQ(*w1.StoreReport(mine, Report(md5, 1700000000, 2), 3, kT0), ReportWrite::kStored);
  EXPECT_EQ(Scalar(w1, "SELECT count(*) FROM dionaea.virustotals"), 1);
  EXPECT_EQ(Scalar(w1, "SELECT count(*) FROM dionaea.virustotalscans"), 4);  // judged only
  EXPECT_EQ(Scalar(w1,
                   "SELECT count(*) FROM dionaea.virustotalscans WHERE "
                   "virustotalscan_result IS NULL"),
            2);
  EXPECT_EQ(Scalar(w1,
                   "SELECT extract(epoch FROM virustotal_timestamp)::bigint FROM "
                   "dionaea.virustotals"),
            1700000000);
  // The lease moves to w2 (w1 stalled); w1's late report is refused and writes nothing.
  ASSERT_TRUE(w1.connection().Query(
      "UPDATE honeyvt.jobs SET lease_expires = honeyvt.clock() - interval '1 s'"));
  ASSERT_EQ(*w2.Sweep(std::chrono::hours(1), 3), 1);
  Job theirs = ClaimOne(w2);
  EXPECT_EQ(*w1.StoreReport(mine, Report(md5, 1800000000, 3), 3, kT0), ReportWrite::kFenced);
  EXPECT_EQ(Scalar(w1, "SELECT count(*) FROM honeyvt.reports"), 1);
  // A newer analysis replaces the current row; an older one only joins the history.
  EXPECT_EQ(*w2.StoreReport(theirs, Report(md5, 1800000000, 3), 3, kT0), ReportWrite::kWritten);
  EXPECT_EQ(*w2.StoreReport(theirs, Report(md5, 1750000000, 1), 3, kT0), ReportWrite::kHistory);
  EXPECT_EQ(Scalar(w1, "SELECT count(*) FROM dionaea.virustotals"), 1);
  EXPECT_EQ(Scalar(w1,
                   "SELECT count(*) FROM dionaea.virustotalscans WHERE "
                   "virustotalscan_result = 'Worm.X'"),
            3);
  EXPECT_EQ(Scalar(w1, "SELECT count(*) FROM honeyvt.reports"), 3);
}

TEST(FleetReportsTest, MirrorsGetTheReportsOfWhatTheirSensorSighted) {
  HONEYVT_PG_DATABASE(db);
  FleetDb a = Worker(db, "a");
  FleetDb b = Worker(db, "b");
  const std::string x = Md5Of(1), y = Md5Of(2);
  ASSERT_TRUE(a.Enqueue(std::vector{Item(x), Item(y)}, kT0));
  ASSERT_TRUE(b.Enqueue(std::vector{Item(y)}, kT0));
  Job jx = ClaimOne(a);
  Job jy = ClaimOne(a);
  ASSERT_TRUE(a.StoreReport(jx, Report(jx.md5, 1700000000, 1), 3, kT0));
  ASSERT_TRUE(a.StoreReport(jy, Report(jy.md5, 1700000000, 4), 3, kT0));
  auto ma = a.PendingMirror(100);
  ASSERT_TRUE(ma) << ma.error().ToString();
  EXPECT_EQ(ma->items.size(), 2u);
  ASSERT_TRUE(a.AdvanceMirror(*ma));
  EXPECT_TRUE(a.PendingMirror(100)->items.empty());
  auto mb = b.PendingMirror(100);
  ASSERT_EQ(mb->items.size(), 1u);
  EXPECT_EQ(mb->items[0].report.md5, y);
  EXPECT_EQ(mb->items[0].report.engines.size(), 5u);
  EXPECT_EQ(mb->items[0].report.engines[0].result.value_or(""), "Worm.X");
  ASSERT_TRUE(b.AdvanceMirror(*mb));
  EXPECT_TRUE(b.PendingMirror(100)->items.empty());
  // b catches x only now, after its report was written and b's cursor moved past it.
  ASSERT_TRUE(b.Enqueue(std::vector{Item(x)}, kT0));
  auto late = b.PendingMirror(100);
  ASSERT_EQ(late->items.size(), 1u);
  EXPECT_EQ(late->items[0].report.md5, x);
  ASSERT_TRUE(b.AdvanceMirror(*late));
  EXPECT_TRUE(b.PendingMirror(100)->items.empty());
  EXPECT_TRUE(b.PendingMirror(100)->backfill.empty());
}

}  // namespace
}  // namespace honeyvt::pg
