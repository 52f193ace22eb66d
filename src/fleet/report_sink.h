#pragma once
// Where a fleet worker's reports go: the central database (honeyvt.store_report: the
// history row, and the md5's current row in dionaea.virustotals / virustotalscans), in
// one transaction fenced by the job's lease. A worker whose lease was taken over gets
// kLeaseLost and writes nothing, so a stalled worker that wakes up late never adds a
// second report row. Each sensor's local logsql receives the verdicts through its
// mirror (mirror.h), not from here.

#include "pipeline/report_sink.h"
#include "store/pg/fleet_db.h"

namespace honeyvt::fleet {

class FleetReportSink final : public pipeline::ReportSink {
 public:
  FleetReportSink(pg::FleetDb& db, int api_version) : db_(&db), api_version_(api_version) {}
  Status Store(const domain::Job& job, const domain::FileReport& report, TimePoint fetched_at,
               std::stop_token stop) override;

 private:
  pg::FleetDb* db_;
  int api_version_;
};

}  // namespace honeyvt::fleet
