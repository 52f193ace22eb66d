#include "fleet/mirror.h"

#include <spdlog/spdlog.h>

namespace honeyvt::fleet {

Result<int> Mirror::Sync(std::stop_token stop) {
  if (!writer_) {
    // Short waits: dionaea may hold its database; the next round tries again.
    ASSIGN_OR_RETURN(store::LogsqlWriter w,
                     store::LogsqlWriter::Open(logsql_, *clock_,
                                               {.busy_timeout = std::chrono::milliseconds(500),
                                                .max_wait = std::chrono::seconds(5)}));
    writer_.emplace(std::move(w));
  }
  int written = 0;
  while (!stop.stop_requested()) {
    ASSIGN_OR_RETURN(pg::FleetDb::MirrorBatch batch, db_->PendingMirror(200));
    for (const auto& item : batch.items) {
      auto out = writer_->Write(item.report, item.api_version, item.fetched_at, stop);
      if (!out && out.error().code == ErrorCode::kCorrupt) {
        // A report the local file cannot take (damaged row): skipped, not retried for ever.
        spdlog::warn("mirror: report {} of {} skipped: {}", item.seq, item.report.md5,
                     out.error().ToString());
        continue;
      }
      if (!out) return std::move(out).error();
      if (*out != store::WriteOutcome::kAlreadyStored) ++written;
    }
    RETURN_IF_ERROR(db_->AdvanceMirror(batch));
    if (!batch.more) break;
  }
  return written;
}

}  // namespace honeyvt::fleet
