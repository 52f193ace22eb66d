#include "store/sqlite.h"

#include <sqlite3.h>

#include <system_error>
#include <unistd.h>

namespace honeyvt::store {

Error SqliteError(int code, std::string_view what, std::string_view path) {
  ErrorCode ec = ErrorCode::kIo;
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: ec = ErrorCode::kBusy; break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT: ec = ErrorCode::kCorrupt; break;
    case SQLITE_CANTOPEN: ec = ErrorCode::kIo; break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_ERROR: ec = ErrorCode::kInternal; break;
    default: break;
  }
  std::string msg = std::string(path) + ": " + std::string(what);
  return MakeError(ec, msg);
}

// ---- Statement ----

void Statement::Deleter::operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string path)
    : db_(db), stmt_(stmt), path_(std::move(path)) {}

Statement::~Statement() = default;

Statement& Statement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                      SQLITE_UTF8);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = SqliteError(rc, sqlite3_errmsg(db_), path_);
  sqlite3_reset(stmt_.get());
  return e;
}

Status Statement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return OkStatus();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_.get()); }

ColumnType Statement::Type(int col) const {
  switch (sqlite3_column_type(stmt_.get(), col)) {
    case SQLITE_INTEGER: return ColumnType::kInteger;
    case SQLITE_FLOAT: return ColumnType::kFloat;
    case SQLITE_TEXT: return ColumnType::kText;
    case SQLITE_BLOB: return ColumnType::kBlob;
    default: return ColumnType::kNull;
  }
}

std::int64_t Statement::Int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }

double Statement::Double(int col) const { return sqlite3_column_double(stmt_.get(), col); }

std::string_view Statement::TextView(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
  if (p == nullptr) return {};
  return std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

std::string Statement::Text(int col) const { return std::string(TextView(col)); }

std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::string Statement::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_.get(), col);
  if (p == nullptr) return {};
  return std::string(static_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

// ---- Database ----

void Database::Deleter::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Database::Database(sqlite3* db, std::filesystem::path path, bool read_only)
    : db_(db), path_(std::move(path)), read_only_(read_only) {}

Database::~Database() = default;

Result<Database> Database::Open(const std::filesystem::path& path,
                                const DatabaseOptions& options) {
  const std::string name = path.string();
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (options.mode != OpenMode::kCreate && !exists) {
    return MakeError(ErrorCode::kNotFound, name + ": no such file");
  }
  if (exists && std::filesystem::is_directory(path, ec)) {
    return MakeError(ErrorCode::kIo, name + ": is a directory, not a database file");
  }
  if (exists && ::access(name.c_str(), R_OK) != 0) {
    return MakeError(ErrorCode::kIo, name + ": permission denied");
  }
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (options.mode) {
    case OpenMode::kReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    case OpenMode::kReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case OpenMode::kCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  // Take ownership before checking the code: a failed open still allocates a handle.
  Database db(raw, path, options.mode == OpenMode::kReadOnly);
  if (rc != SQLITE_OK) {
    return SqliteError(rc, raw != nullptr ? sqlite3_errmsg(raw) : "cannot open", name);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  // Force SQLite to read the header now so a non-database file fails here, not later.
  {
    ASSIGN_OR_RETURN(Statement probe, db.Prepare("SELECT count(*) FROM sqlite_master"));
    auto row = probe.Step();
    if (!row) {
      Error e = std::move(row).error();
      if (e.code == ErrorCode::kInternal || e.code == ErrorCode::kIo) e.code = ErrorCode::kCorrupt;
      e.message += " (not an SQLite database, or damaged)";
      return e;
    }
  }
  if (options.owned) {
    RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
    RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
    RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
  }
  return db;
}

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  std::unique_ptr<char, decltype(&sqlite3_free)> owned(err, &sqlite3_free);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(rc, owned ? owned.get() : sqlite3_errstr(rc), path_.string());
    if (rc == SQLITE_NOTADB) e.message += " (not an SQLite database, or damaged)";
    return e;
  }
  return OkStatus();
}

void Database::SetBusyTimeout(std::chrono::milliseconds timeout) {
  sqlite3_busy_timeout(db_.get(), static_cast<int>(timeout.count()));
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  Statement stmt(db_.get(), raw, path_.string());
  if (rc != SQLITE_OK) return SqliteError(rc, sqlite3_errmsg(db_.get()), path_.string());
  if (raw == nullptr) return MakeError(ErrorCode::kInternal, "empty SQL statement");
  return stmt;
}

std::int64_t Database::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_.get()); }

int Database::Changes() const { return sqlite3_changes(db_.get()); }

bool Database::TableExists(std::string_view table) {
  auto stmt = Prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  if (!stmt) return false;
  stmt->Bind(1, table);
  auto row = stmt->Step();
  return row && *row;
}

bool Database::ColumnExists(std::string_view table, std::string_view column) {
  auto stmt = Prepare("SELECT 1 FROM pragma_table_info(?) WHERE name=?");
  if (!stmt) return false;
  stmt->BindAll(table, column);
  auto row = stmt->Step();
  return row && *row;
}

// ---- Transaction ----

Result<Transaction> Transaction::Begin(Database& db, Kind kind) {
  RETURN_IF_ERROR(db.Exec(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (db_ == nullptr) return MakeError(ErrorCode::kInternal, "transaction already finished");
  Status st = db_->Exec("COMMIT");
  if (st) db_ = nullptr;
  return st;
}

}  // namespace honeyvt::store
