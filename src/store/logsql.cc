#include "store/logsql.h"

#include <array>

#include "embedded/logsql_schema.h"
#include "store/migrations.h"

namespace honeyvt::store {
namespace {

// honeyvt's extension tables inside the logsql file. Append only; see docs/schema.md.
constexpr std::array kExtensionMigrations = {
    Migration{"report details and history", R"SQL(
CREATE TABLE honeyvt_reports (
    report INTEGER PRIMARY KEY,
    md5 TEXT NOT NULL,
    sha1 TEXT,
    sha256 TEXT,
    size INTEGER,
    type_description TEXT,
    positives INTEGER NOT NULL,
    total INTEGER NOT NULL,
    suggested_label TEXT,
    analysis_date INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL,
    permalink TEXT NOT NULL,
    api_version INTEGER NOT NULL,
    virustotal INTEGER,
    raw_json BLOB
);
CREATE UNIQUE INDEX honeyvt_reports_md5_date_idx ON honeyvt_reports (md5, analysis_date);
CREATE INDEX honeyvt_reports_virustotal_idx ON honeyvt_reports (virustotal);
CREATE TABLE honeyvt_engine_results (
    report INTEGER NOT NULL,
    engine TEXT NOT NULL,
    engine_name TEXT,
    engine_version TEXT,
    engine_update TEXT,
    category TEXT NOT NULL,
    result TEXT,
    PRIMARY KEY (report, engine)
) WITHOUT ROWID;
)SQL"},
};

Result<int> ExtensionVersion(Database& db) {
  if (!db.TableExists("honeyvt_meta")) return 0;
  ASSIGN_OR_RETURN(Statement stmt,
                   db.Prepare("SELECT value FROM honeyvt_meta WHERE key='schema_version'"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return 0;
  return static_cast<int>(stmt.Int64(0));
}

}  // namespace

std::string_view LogsqlSchemaSql() { return embedded::logsql_schema; }

std::string LogsqlEra::Describe() const {
  std::string era = has_mqtt ? "2015 or later" : (has_mysql || has_sip) ? "2011-2014" : "2010";
  std::string extras;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    extras += extras.empty() ? "" : ", ";
    extras += name;
  };
  add(has_mysql, "mysql");
  add(has_sip, "sip");
  add(has_mqtt, "mqtt");
  add(has_emu_services_old, "emu_services_old");
  add(has_honeyvt_tables, "honeyvt tables");
  return extras.empty() ? era : era + " (" + extras + ")";
}

Result<LogsqlEra> Logsql::Inspect(Database& db) {
  static constexpr const char* kCore[] = {"connections", "downloads", "offers",
                                          "virustotals", "virustotalscans"};
  for (const char* table : kCore) {
    if (!db.TableExists(table)) {
      return MakeError(ErrorCode::kCorrupt, db.path().string() +
                                                ": not a dionaea logsql database (no '" +
                                                table + "' table)");
    }
  }
  LogsqlEra era;
  era.has_mysql = db.TableExists("mysql_commands");
  era.has_sip = db.TableExists("sip_commands");
  era.has_mqtt = db.TableExists("mqtt_fingerprints");
  era.has_emu_services_old = db.TableExists("emu_services_old");
  era.has_honeyvt_tables = db.TableExists("honeyvt_reports");
  return era;
}

Result<Logsql> Logsql::Create(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path.string() + ": already exists; refusing to overwrite it");
  }
  ASSIGN_OR_RETURN(Database db, Database::Open(path, {.mode = OpenMode::kCreate}));
  // The dump has its own BEGIN TRANSACTION / COMMIT.
  Status st = db.Exec(LogsqlSchemaSql());
  if (!st) {
    std::filesystem::remove(path, ec);
    return std::move(st).error();
  }
  ASSIGN_OR_RETURN(LogsqlEra era, Inspect(db));
  return Logsql(std::move(db), era);
}

Result<Logsql> Logsql::Open(const std::filesystem::path& path, OpenMode mode) {
  if (mode == OpenMode::kCreate) {
    return MakeError(ErrorCode::kInternal, "use Logsql::Create to create a database");
  }
  ASSIGN_OR_RETURN(Database db, Database::Open(path, {.mode = mode}));
  ASSIGN_OR_RETURN(LogsqlEra era, Inspect(db));
  return Logsql(std::move(db), era);
}

Status Logsql::EnsureHoneyvtTables() {
  ASSIGN_OR_RETURN(int version, ExtensionVersion(db_));
  const int latest = static_cast<int>(kExtensionMigrations.size());
  if (version > latest) {
    return MakeError(ErrorCode::kCorrupt, db_.path().string() +
                                              ": honeyvt tables are newer than this honeyvt");
  }
  for (int v = version; v < latest; ++v) {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
    RETURN_IF_ERROR(db_.Exec(
        "CREATE TABLE IF NOT EXISTS honeyvt_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"));
    RETURN_IF_ERROR(db_.Exec(kExtensionMigrations[static_cast<std::size_t>(v)].sql));
    ASSIGN_OR_RETURN(Statement set,
                     db_.Prepare("INSERT OR REPLACE INTO honeyvt_meta (key, value) "
                                 "VALUES ('schema_version', ?)"));
    set.Bind(1, v + 1);
    RETURN_IF_ERROR(set.Run());
    RETURN_IF_ERROR(tx.Commit());
  }
  era_.has_honeyvt_tables = true;
  return OkStatus();
}

}  // namespace honeyvt::store
