#pragma once
// Follows dionaea's logsql `downloads` table while dionaea writes it, and offers every
// new download's sample to a SampleSink.
//
// Rows are read by rowid (`download`) in batches, each poll on a fresh read-only
// connection with a busy timeout and short statements, so dionaea is never blocked and a
// replaced file is noticed. Progress (last rowid + rows whose file is still awaited) is
// saved in a CursorStore after every batch: a restart misses nothing; a crash between an
// offer and the save repeats at most that batch's offers, which the idempotent sink
// absorbs. Like dionaea's own "download.complete.unique" event, only the first download
// of an md5 (lowest rowid) is offered; later repeats are counted and skipped.
// A row whose md5 is not hex is reported and skipped. A download whose file is not (yet)
// in the binaries directory, is unreadable, or does not (yet) hash to its md5 (dionaea
// copies files in, so a reader can see a partial file) is retried on every poll until
// `file_grace` has passed, then offered by hash only (lookup, no upload). If the table's
// highest rowid drops below the cursor (a new database in the same place), the follower
// starts again from rowid 0. Downloads captured within the last 24 hours are offered as
// live (ahead of the backlog). Not thread-safe: run one instance on one thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>

#include "core/clock.h"
#include "ingest/cursor_store.h"
#include "ingest/sample_sink.h"
#include "store/sqlite.h"

namespace honeyvt::ingest {

struct FollowerConfig {
  std::filesystem::path logsql;                   // dionaea's logsql database (read only)
  std::filesystem::path binaries;                 // where dionaea stores samples as <md5>
  int batch_size = 500;                           // rows per SELECT
  std::chrono::seconds file_grace{600};           // wait this long for a missing file
  std::chrono::milliseconds poll_interval{2000};  // between polls in Run()
  std::chrono::milliseconds busy_timeout{2000};   // per statement, dionaea holding a lock
};

struct PollStats {
  std::int64_t rows = 0;       // downloads rows read
  std::int64_t offered = 0;    // offered with their file
  std::int64_t hash_only = 0;  // offered by hash only (file missing past grace)
  std::int64_t waiting = 0;    // still waiting for their file after this poll
  std::int64_t repeats = 0;    // a later download of an md5 seen before: skipped
  std::int64_t invalid = 0;    // md5 not hex: skipped
  std::int64_t restarted = 0;  // 1 if the cursor was reset (new database)
};

class DownloadsFollower {
 public:
  DownloadsFollower(FollowerConfig config, CursorStore& cursors, SampleSink& sink, Clock& clock);

  // Reads every row added since the last poll, retries awaited files, saves progress.
  // A stop request ends it after the current row (progress up to there is saved).
  Result<PollStats> PollOnce(std::stop_token stop = {});
  // Polls every poll_interval until `stop` is requested. Errors (database locked for
  // longer than the busy timeout, file missing) are logged and retried; returns only on
  // stop.
  void Run(std::stop_token stop);

  // The key under which progress is stored: the logsql path made absolute.
  const std::string& key() const { return key_; }

 private:
  Result<PollStats> Poll(std::stop_token stop);
  Status ReadBatch(store::Database& db, PollStats& stats, bool& more, std::stop_token stop);
  // Offers `p` if its file is there or its grace ran out; false if still waiting.
  Result<bool> TryOffer(const PendingDownload& p, PollStats& stats);

  FollowerConfig config_;
  CursorStore& cursors_;
  SampleSink& sink_;
  Clock& clock_;
  std::string key_;
  std::optional<FollowerState> state_;  // loaded on first poll
};

}  // namespace honeyvt::ingest
