#include "ingest/cursor_store.h"

namespace honeyvt::ingest {

namespace {

constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS honeyvt_ingest_cursor ("
    "  source TEXT PRIMARY KEY,"  // logsql file path
    "  last_rowid INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS honeyvt_ingest_pending ("
    "  source TEXT NOT NULL,"
    "  download INTEGER NOT NULL,"
    "  md5 TEXT NOT NULL,"
    "  first_seen INTEGER NOT NULL,"
    "  captured_at REAL NOT NULL,"
    "  PRIMARY KEY (source, download));";

}  // namespace

Result<SqliteCursorStore> SqliteCursorStore::Open(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(store::Database db,
                   store::Database::Open(path, {.mode = store::OpenMode::kCreate, .owned = true}));
  return Attach(std::move(db));
}

Result<SqliteCursorStore> SqliteCursorStore::Attach(store::Database db) {
  RETURN_IF_ERROR(db.Exec(kSchema));
  return SqliteCursorStore(std::move(db));
}

Result<FollowerState> SqliteCursorStore::Load(const std::string& key) {
  FollowerState state;
  ASSIGN_OR_RETURN(store::Statement cur,
                   db_.Prepare("SELECT last_rowid FROM honeyvt_ingest_cursor WHERE source = ?"));
  cur.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, cur.Step());
  if (row) state.last_rowid = cur.Int64(0);
  ASSIGN_OR_RETURN(
      store::Statement pend,
      db_.Prepare("SELECT download, md5, first_seen, captured_at FROM honeyvt_ingest_pending"
                  " WHERE source = ? ORDER BY download"));
  pend.Bind(1, key);
  while (true) {
    ASSIGN_OR_RETURN(bool more, pend.Step());
    if (!more) break;
    state.pending.push_back({pend.Int64(0), pend.Text(1), pend.Int64(2), pend.Double(3)});
  }
  return state;
}

Status SqliteCursorStore::Save(const std::string& key, const FollowerState& state) {
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(
      store::Statement up,
      db_.Prepare(
          "INSERT INTO honeyvt_ingest_cursor (source, last_rowid, updated_at)"
          " VALUES (?1, ?2, CAST(strftime('%s','now') AS INTEGER))"
          " ON CONFLICT(source) DO UPDATE SET last_rowid = ?2, updated_at = excluded.updated_at"));
  up.BindAll(key, state.last_rowid);
  RETURN_IF_ERROR(up.Run());
  ASSIGN_OR_RETURN(store::Statement del,
                   db_.Prepare("DELETE FROM honeyvt_ingest_pending WHERE source = ?"));
  del.Bind(1, key);
  RETURN_IF_ERROR(del.Run());
  ASSIGN_OR_RETURN(
      store::Statement ins,
      db_.Prepare(
          "INSERT INTO honeyvt_ingest_pending (source, download, md5, first_seen, captured_at)"
          " VALUES (?, ?, ?, ?, ?)"));
  for (const auto& p : state.pending) {
    ins.Reset();
    ins.BindAll(key, p.rowid, p.md5, p.first_seen, p.captured_at);
    RETURN_IF_ERROR(ins.Run());
  }
  return tx.Commit();
}

}  // namespace honeyvt::ingest
