#pragma once
// RAII ownership of SQLite handles and the only place <sqlite3.h> is included from.
//
// Database owns one sqlite3* connection; Statement owns one sqlite3_stmt* and must not
// outlive its Database. Both are move-only and not thread-safe: use one Database per
// thread. Every SQL text passed to Prepare/Exec is a constant of our code; values are
// always bound as parameters, never spliced into SQL.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace honeyvt::store {

enum class OpenMode {
  kReadOnly,   // never writes, never creates; a missing file is kNotFound
  kReadWrite,  // the file must exist
  kCreate,     // create if missing
};

struct DatabaseOptions {
  OpenMode mode = OpenMode::kReadOnly;
  // How long one statement waits for another process's lock before kBusy.
  std::chrono::milliseconds busy_timeout{5000};
  // Our own state database: WAL + synchronous=FULL. Never set for dionaea's file.
  bool owned = false;
};

enum class ColumnType { kInteger, kFloat, kText, kBlob, kNull };

class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  ~Statement();

  // Parameters are 1-based, as in SQLite.
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& BindNull(int index);
  Statement& BindBlob(int index, std::string_view bytes);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }
  // Binds all arguments to parameters 1..N.
  template <typename... Args>
  Statement& BindAll(const Args&... args) {
    int i = 0;
    (Bind(++i, args), ...);
    return *this;
  }

  // Advances; true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (for INSERT/UPDATE/DELETE).
  Status Run();
  // Resets for re-execution and clears bindings.
  void Reset();

  int ColumnCount() const;
  ColumnType Type(int col) const;  // 0-based
  bool IsNull(int col) const { return Type(col) == ColumnType::kNull; }
  std::int64_t Int64(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;  // NULL -> ""
  std::optional<std::string> OptText(int col) const;
  std::string Blob(int col) const;
  std::string_view TextView(int col) const;  // valid until the next Step/Reset

 private:
  friend class Database;
  struct Deleter {
    void operator()(sqlite3_stmt* s) const;
  };
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string path);
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Deleter> stmt_;
  std::string path_;  // database file, for error messages
};

class Database {
 public:
  // Opens `path`. Errors name the file: missing (kNotFound), unreadable (kIo), not SQLite
  // or damaged (kCorrupt).
  static Result<Database> Open(const std::filesystem::path& path, const DatabaseOptions& options);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database();

  // Runs constant SQL (schema, pragmas); never pass user text.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  std::int64_t LastInsertRowid() const;
  // Changes how long statements wait for another process's lock before kBusy.
  void SetBusyTimeout(std::chrono::milliseconds timeout);
  int Changes() const;
  bool TableExists(std::string_view table);
  bool ColumnExists(std::string_view table, std::string_view column);
  const std::filesystem::path& path() const { return path_; }
  bool read_only() const { return read_only_; }

 private:
  struct Deleter {
    void operator()(sqlite3* db) const;
  };
  Database(sqlite3* db, std::filesystem::path path, bool read_only);
  std::unique_ptr<sqlite3, Deleter> db_;
  std::filesystem::path path_;
  bool read_only_ = true;
};

// A scope guard: BEGIN on construction, ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  enum class Kind { kDeferred, kImmediate };
  static Result<Transaction> Begin(Database& db, Kind kind = Kind::kImmediate);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // null once committed or moved from
};

// Maps an SQLite result code to our error vocabulary, naming the file.
Error SqliteError(int code, std::string_view what, std::string_view path);

}  // namespace honeyvt::store
