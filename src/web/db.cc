#include "web/db.h"

#include <sys/stat.h>

namespace honeyvt::web {

Pool::Lease::~Lease() {
  if (pool_ == nullptr || !db_) return;
  std::lock_guard lock(pool_->mu_);
  if (pool_->idle_.size() < 16) pool_->idle_.push_back({std::move(db_), id_});
}

Pool::FileId Pool::Identity() const {
  if (watch_.empty()) return {};
  struct stat st {};
  if (::stat(watch_.c_str(), &st) != 0) return {};
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

Result<Pool::Lease> Pool::Acquire() {
  const FileId now = Identity();
  {
    std::lock_guard lock(mu_);
    while (!idle_.empty()) {
      Idle idle = std::move(idle_.back());
      idle_.pop_back();
      if (idle.id == now) return Lease(this, std::move(idle.db), idle.id);
      // Another file now: the connection is closed here.
    }
  }
  ASSIGN_OR_RETURN(store::Database db, open_());
  return Lease(this, std::make_unique<store::Database>(std::move(db)), now);
}

Result<ReadScope> ReadScope::Begin(store::Database& db, const ReadMetrics& metrics) {
  ReadScope scope(&db, metrics);
  if (Status st = db.Exec("BEGIN"); !st) {
    scope.db_ = nullptr;
    return scope.Note(st.error());
  }
  // A deferred transaction takes dionaea's SHARED lock at its first read, after waiting
  // (busy timeout) while a writer holds the file. Take it here, so that the measured
  // length is the time this reader holds the lock, which is what delays dionaea's
  // commits, and not the time it waited for dionaea.
  if (Status st = db.Exec("SELECT 1 FROM sqlite_master LIMIT 1"); !st) {
    (void)db.Exec("ROLLBACK");
    scope.db_ = nullptr;
    return scope.Note(st.error());
  }
  scope.start_ = std::chrono::steady_clock::now();
  return scope;
}

ReadScope::ReadScope(ReadScope&& other) noexcept
    : db_(other.db_), metrics_(other.metrics_), start_(other.start_) {
  other.db_ = nullptr;
}

void ReadScope::End() {
  if (db_ == nullptr) return;
  (void)db_->Exec("COMMIT");
  db_ = nullptr;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (metrics_.duration != nullptr) metrics_.duration->With({metrics_.reader}).Observe(seconds);
  if (metrics_.longest != nullptr) metrics_.longest->With({metrics_.reader}).SetMax(seconds);
}

Error ReadScope::Note(Error error) const {
  if (error.code == ErrorCode::kBusy && metrics_.busy != nullptr) metrics_.busy->With({}).Inc();
  return error;
}

Result<store::Database> OpenLogsqlReader(const std::filesystem::path& path,
                                         std::chrono::milliseconds busy) {
  ASSIGN_OR_RETURN(
      store::Database db,
      store::Database::Open(path, {.mode = store::OpenMode::kReadOnly, .busy_timeout = busy}));
  RETURN_IF_ERROR(db.Exec("PRAGMA query_only = 1"));
  return db;
}

}  // namespace honeyvt::web
