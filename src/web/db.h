#pragma once
// The dashboard's database connections. dionaea's logsql file is read only through
// LogsqlPool: read-only connections with PRAGMA query_only, a short busy timeout (the
// dashboard gives way to dionaea, never the other way round), each use one short read
// transaction (ReadScope) whose length is measured. honeyvt's state database is read and
// written through StatePool. Connections are reused between requests (one per thread at a
// time); a pool is thread-safe.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/metrics.h"
#include "core/result.h"
#include "store/sqlite.h"

namespace honeyvt::web {

class Pool {
 public:
  using Opener = std::function<Result<store::Database>()>;
  // With `watch`, a connection is dropped instead of reused once `watch` is another file
  // than when it was opened (dionaea's database replaced by a new one: a connection to
  // the old, deleted file would read it forever).
  explicit Pool(Opener open, std::filesystem::path watch = {})
      : open_(std::move(open)), watch_(std::move(watch)) {}

  // A borrowed connection; goes back to the pool when destroyed.
  // The identity (device, inode) of a file; zeros when it does not exist.
  struct FileId {
    std::uint64_t dev = 0, ino = 0;
    bool operator==(const FileId&) const = default;
  };

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<store::Database> db, FileId id)
        : pool_(pool), db_(std::move(db)), id_(id) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();
    store::Database& db() { return *db_; }
    // Drops the connection instead of reusing it (after an error).
    void Discard() { db_.reset(); }

   private:
    Pool* pool_;
    std::unique_ptr<store::Database> db_;
    FileId id_;  // of the watched file when the connection was opened
  };
  Result<Lease> Acquire();

 private:
  struct Idle {
    std::unique_ptr<store::Database> db;
    FileId id;
  };
  FileId Identity() const;
  Opener open_;
  std::filesystem::path watch_;
  std::mutex mu_;
  std::vector<Idle> idle_;  // guarded by mu_
};

// Who reads logsql (the `reader` label): a bounded list, every one registered at zero.
inline constexpr const char* kLogsqlReaders[] = {"rollups", "replica", "attacks",       "tree",
                                                 "sample",  "status",  "report_history"};

struct ReadMetrics {
  HistogramFamily* duration = nullptr;  // honeyvt_logsql_read_duration_seconds{reader}
  GaugeFamily* longest = nullptr;       // honeyvt_logsql_read_longest_seconds{reader}
  CounterFamily* busy = nullptr;        // honeyvt_logsql_busy_total
  const char* reader = "other";         // one of kLogsqlReaders
  // The same metrics for another reader.
  ReadMetrics For(const char* name) const {
    ReadMetrics m = *this;
    m.reader = name;
    return m;
  }
};

// One read transaction on logsql: BEGIN and the SHARED lock on construction, COMMIT
// (releasing the lock) on End() or destruction; the time the lock was held goes into the
// read histogram and the longest-read gauge of its reader (a wait for dionaea's write lock
// before it is not counted), a kBusy error into the busy counter. Every read of
// logsql by the dashboard happens inside one (statements are finalised or reset before
// it ends, so the lock is released at End()).
class ReadScope {
 public:
  static Result<ReadScope> Begin(store::Database& db, const ReadMetrics& metrics);
  ReadScope(ReadScope&& other) noexcept;
  ReadScope& operator=(ReadScope&&) = delete;
  ~ReadScope() { End(); }
  void End();
  // Counts a busy error seen inside the scope (pass any error through this).
  Error Note(Error error) const;

 private:
  ReadScope(store::Database* db, ReadMetrics m)
      : db_(db), metrics_(m), start_(std::chrono::steady_clock::now()) {}
  store::Database* db_;
  ReadMetrics metrics_;
  std::chrono::steady_clock::time_point start_;
};

// Opens logsql for the dashboard: read-only, query_only, `busy` timeout.
Result<store::Database> OpenLogsqlReader(const std::filesystem::path& path,
                                         std::chrono::milliseconds busy);

}  // namespace honeyvt::web
