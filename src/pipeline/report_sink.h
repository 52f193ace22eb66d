#pragma once
// Where finished reports go. One host: LogsqlSink (dionaea's logsql via
// store::LogsqlWriter); a fleet: fleet::FleetReportSink (the central database, fenced by
// the job's lease). Tests may inject failures. Store must be idempotent per analysis: the
// pipeline may call it again for the same report after a crash. `job` is the leased job
// the report answers; a sink that fences refuses with kLeaseLost (nothing written) once
// that lease was taken over.

#include <stop_token>

#include "core/clock.h"
#include "domain/job.h"
#include "domain/report.h"
#include "store/logsql_writer.h"

namespace honeyvt::pipeline {

class ReportSink {
 public:
  virtual ~ReportSink() = default;
  virtual Status Store(const domain::Job& job, const domain::FileReport& report,
                       TimePoint fetched_at, std::stop_token stop) = 0;
};

class LogsqlSink final : public ReportSink {
 public:
  LogsqlSink(store::LogsqlWriter& writer, int api_version)
      : writer_(&writer), api_version_(api_version) {}
  Status Store(const domain::Job& /*job*/, const domain::FileReport& report, TimePoint fetched_at,
               std::stop_token stop) override {
    auto out = writer_->Write(report, api_version_, fetched_at, stop);
    if (!out) return std::move(out).error();
    return OkStatus();
  }

 private:
  store::LogsqlWriter* writer_;
  int api_version_;
};

}  // namespace honeyvt::pipeline
