#include "fleet/report_sink.h"

namespace honeyvt::fleet {

Status FleetReportSink::Store(const domain::Job& job, const domain::FileReport& report,
                              TimePoint fetched_at, std::stop_token /*stop*/) {
  ASSIGN_OR_RETURN(pg::ReportWrite written,
                   db_->StoreReport(job, report, api_version_, fetched_at));
  if (written == pg::ReportWrite::kFenced) {
    return MakeError(ErrorCode::kLeaseLost,
                     "lease lost on job " + std::to_string(job.id) +
                         " before its report was stored (another worker took it over)");
  }
  return OkStatus();
}

}  // namespace honeyvt::fleet
