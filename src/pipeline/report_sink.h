#pragma once
// Where finished reports go. Production: LogsqlSink (dionaea's logsql via
// store::LogsqlWriter); tests may inject failures. Store must be idempotent per analysis:
// the pipeline may call it again for the same report after a crash.

#include <stop_token>

#include "core/clock.h"
#include "domain/report.h"
#include "store/logsql_writer.h"

namespace honeyvt::pipeline {

class ReportSink {
 public:
  virtual ~ReportSink() = default;
  virtual Status Store(const domain::FileReport& report, TimePoint fetched_at,
                       std::stop_token stop) = 0;
};

class LogsqlSink final : public ReportSink {
 public:
  LogsqlSink(store::LogsqlWriter& writer, int api_version)
      : writer_(&writer), api_version_(api_version) {}
  Status Store(const domain::FileReport& report, TimePoint fetched_at,
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
