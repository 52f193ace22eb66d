#pragma once
// dionaea's logsql database ("log_sqlite"): creation with the exact schema of dionaea
// master 4e459f1, opening files of every era, and honeyvt's own extension tables.
//
// Rules (docs/schema.md): dionaea's tables keep their names, columns, types, indexes and
// trigger; honeyvt never renames, retypes, deletes or renumbers their rows, never changes
// the file's journal mode or user_version, and keeps transactions short. honeyvt's extra
// data lives in tables prefixed `honeyvt_`, created only by a command that writes.

#include <filesystem>
#include <string>

#include "store/sqlite.h"

namespace honeyvt::store {

// The embedded canonical schema + seed rows (sqlite3 .dump of a fresh dionaea database).
std::string_view LogsqlSchemaSql();

// What an opened logsql file contains; tables of later eras may be missing.
struct LogsqlEra {
  bool has_mysql = false;             // mysql_commands & co (2011+)
  bool has_sip = false;               // sip_* (2011+)
  bool has_mqtt = false;              // mqtt_* (2015+)
  bool has_emu_services_old = false;  // dionaea's rename quirk (read both tables)
  bool has_honeyvt_tables = false;    // honeyvt_* extension tables present
  std::string Describe() const;       // "2011-2014 (mysql, sip)" etc.
};

class Logsql {
 public:
  // Creates a new logsql file with dionaea's exact schema and seed rows. Refuses to
  // touch an existing file (kInvalidArgument).
  static Result<Logsql> Create(const std::filesystem::path& path);
  // Opens an existing logsql file. kReadOnly for readers (tree, reports); kReadWrite for
  // the pipeline. Errors: missing (kNotFound), unreadable (kIo), not SQLite or not a
  // dionaea database (kCorrupt) — each naming the file.
  static Result<Logsql> Open(const std::filesystem::path& path, OpenMode mode);

  Database& db() { return db_; }
  const LogsqlEra& era() const { return era_; }

  // Creates or upgrades honeyvt's extension tables (needs kReadWrite). Versioned in
  // honeyvt_meta, never in PRAGMA user_version (that belongs to the file's owner).
  Status EnsureHoneyvtTables();

 private:
  Logsql(Database db, LogsqlEra era) : db_(std::move(db)), era_(era) {}
  static Result<LogsqlEra> Inspect(Database& db);
  Database db_;
  LogsqlEra era_;
};

}  // namespace honeyvt::store
