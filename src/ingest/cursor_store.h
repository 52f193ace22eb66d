#pragma once
// Where the downloads follower remembers its progress through a logsql file, so that a
// restart neither misses nor re-reads rows.
//
// FollowerState is keyed by the logsql file's path. `last_rowid` is the highest
// `downloads.download` already read; `pending` are rows read but not yet offered because
// their sample file had not appeared (they are retried until their grace runs out).
// Save() replaces the whole state atomically (one transaction).
//
// SqliteCursorStore keeps it in honeyvt's state database, tables honeyvt_ingest_cursor and
// honeyvt_ingest_pending (created if missing; they do not take part in the state
// database's numbered migrations and never touch PRAGMA user_version). Not thread-safe:
// one instance per thread.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"

namespace honeyvt::ingest {

struct PendingDownload {
  std::int64_t rowid = 0;
  std::string md5;              // validated lowercase hex
  std::int64_t first_seen = 0;  // unix seconds when the follower first read the row
  double captured_at = 0;       // connection_timestamp of the download (unix seconds)
  bool operator==(const PendingDownload&) const = default;
};

struct FollowerState {
  std::int64_t last_rowid = 0;
  std::vector<PendingDownload> pending;
  bool operator==(const FollowerState&) const = default;
};

class CursorStore {
 public:
  virtual ~CursorStore() = default;
  // A key never saved yields an empty state (start from rowid 0).
  virtual Result<FollowerState> Load(const std::string& key) = 0;
  virtual Status Save(const std::string& key, const FollowerState& state) = 0;
};

class SqliteCursorStore final : public CursorStore {
 public:
  // Opens (creating if needed) the state database at `path`.
  static Result<SqliteCursorStore> Open(const std::filesystem::path& path);
  // Uses an already open database (e.g. the pipeline's state database connection).
  static Result<SqliteCursorStore> Attach(store::Database db);

  Result<FollowerState> Load(const std::string& key) override;
  Status Save(const std::string& key, const FollowerState& state) override;

 private:
  explicit SqliteCursorStore(store::Database db) : db_(std::move(db)) {}
  store::Database db_;
};

}  // namespace honeyvt::ingest
