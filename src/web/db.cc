#include "web/db.h"

namespace honeyvt::web {

Pool::Lease::~Lease() {
  if (pool_ == nullptr || !db_) return;
  std::lock_guard lock(pool_->mu_);
  if (pool_->idle_.size() < 16) pool_->idle_.push_back(std::move(db_));
}

Result<Pool::Lease> Pool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  ASSIGN_OR_RETURN(store::Database db, open_());
  return Lease(this, std::make_unique<store::Database>(std::move(db)));
}

Result<ReadScope> ReadScope::Begin(store::Database& db, const ReadMetrics& metrics) {
  ReadScope scope(&db, metrics);
  if (Status st = db.Exec("BEGIN"); !st) {
    scope.db_ = nullptr;
    return scope.Note(st.error());
  }
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
  if (metrics_.duration != nullptr) {
    metrics_.duration->With({}).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
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
