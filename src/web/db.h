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
  explicit Pool(Opener open) : open_(std::move(open)) {}

  // A borrowed connection; goes back to the pool when destroyed.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<store::Database> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();
    store::Database& db() { return *db_; }
    // Drops the connection instead of reusing it (after an error).
    void Discard() { db_.reset(); }

   private:
    Pool* pool_;
    std::unique_ptr<store::Database> db_;
  };
  Result<Lease> Acquire();

 private:
  Opener open_;
  std::mutex mu_;
  std::vector<std::unique_ptr<store::Database>> idle_;  // guarded by mu_
};

struct ReadMetrics {
  HistogramFamily* duration = nullptr;  // honeyvt_logsql_read_duration_seconds
  CounterFamily* busy = nullptr;        // honeyvt_logsql_busy_total
};

// One read transaction on logsql: BEGIN on construction, COMMIT (releasing dionaea's
// SHARED lock) on End() or destruction; its length goes into the read histogram, a
// kBusy error into the busy counter.
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
