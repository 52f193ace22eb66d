#include "store/state_db.h"

#include <algorithm>
#include <array>

#include "core/strings.h"
#include "store/migrations.h"
#include "store/state_db_rows.h"

namespace honeyvt::store {
namespace {

using domain::EnqueueCounts;
using domain::EnqueueItem;
using domain::JobState;
using domain::JobStateName;

// Append only: each entry upgrades the schema by one version (docs/state-db.md).
constexpr std::array kMigrations = {
    Migration{"jobs, request log, analysis durations", R"SQL(
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    md5 TEXT,
    sha1 TEXT,
    sha256 TEXT,
    path TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    polls INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    next_action_at INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    analysis_id TEXT NOT NULL DEFAULT '',
    analysis_permalink TEXT NOT NULL DEFAULT '',
    uploaded_at INTEGER,
    lease_owner INTEGER,
    lease_expires INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (md5 IS NOT NULL OR sha1 IS NOT NULL OR sha256 IS NOT NULL)
);
CREATE UNIQUE INDEX jobs_md5_idx ON jobs (md5) WHERE md5 IS NOT NULL;
CREATE UNIQUE INDEX jobs_sha1_idx ON jobs (sha1) WHERE sha1 IS NOT NULL;
CREATE UNIQUE INDEX jobs_sha256_idx ON jobs (sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX jobs_claim_idx ON jobs (state, priority DESC, next_action_at, id);
CREATE INDEX jobs_lease_idx ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE TABLE quota_requests (
    at INTEGER NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX quota_requests_at_idx ON quota_requests (at);
CREATE TABLE analysis_durations (
    at INTEGER NOT NULL,
    seconds INTEGER NOT NULL
);
CREATE INDEX analysis_durations_at_idx ON analysis_durations (at);
)SQL"},
    // A done job's next_action_at is when its report may be refreshed with spare quota;
    // jobs finished before this version become due a day after they finished.
    Migration{"tuning values, refresh times of done jobs, due-time index", R"SQL(
CREATE TABLE tuning (
    key TEXT PRIMARY KEY,
    value REAL NOT NULL
);
CREATE INDEX jobs_due_idx ON jobs (state, next_action_at) WHERE lease_owner IS NULL;
CREATE INDEX jobs_newest_idx ON jobs (state, priority DESC, created_at DESC, id DESC);
UPDATE jobs SET next_action_at = updated_at + 86400000 WHERE state = 'done';
)SQL"},
    // The dashboard's data (docs/web.md): each job step's outcome (the sample's timeline),
    // every VirusTotal request with its status, and rollups of dionaea's logsql kept up to
    // date by rowid cursors, so no page scans logsql.
    Migration{"job events, request log, dashboard rollups", R"SQL(
CREATE TABLE job_events (
    id INTEGER PRIMARY KEY,
    job INTEGER NOT NULL,
    at INTEGER NOT NULL,
    step TEXT NOT NULL,
    outcome TEXT NOT NULL,
    state TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    polls INTEGER NOT NULL DEFAULT 0,
    age_ms INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_events_job_idx ON job_events (job, id);
CREATE TABLE vt_requests (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    api INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    code TEXT NOT NULL,
    ms INTEGER NOT NULL,
    bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX vt_requests_at_idx ON vt_requests (at);
CREATE TABLE rollup_cursors (
    name TEXT PRIMARY KEY,
    last_rowid INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE rollup_hours (
    hour INTEGER NOT NULL,
    protocol TEXT NOT NULL,
    port INTEGER NOT NULL,
    connections INTEGER NOT NULL DEFAULT 0,
    roots INTEGER NOT NULL DEFAULT 0,
    downloads INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, protocol, port)
) WITHOUT ROWID;
CREATE TABLE rollup_attackers (
    hour INTEGER NOT NULL,
    host TEXT NOT NULL,
    connections INTEGER NOT NULL DEFAULT 0,
    downloads INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, host)
) WITHOUT ROWID;
CREATE TABLE rollup_samples (
    md5 TEXT PRIMARY KEY,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    downloads INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX rollup_samples_first_idx ON rollup_samples (first_seen);
CREATE TABLE rollup_sample_hours (
    hour INTEGER NOT NULL,
    md5 TEXT NOT NULL,
    downloads INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, md5)
) WITHOUT ROWID;
CREATE INDEX rollup_samples_last_idx ON rollup_samples (last_seen);
CREATE TABLE rollup_verdicts (
    md5 TEXT PRIMARY KEY,
    virustotal INTEGER NOT NULL,
    scan_date INTEGER NOT NULL,
    positives INTEGER NOT NULL,
    total INTEGER NOT NULL,
    family TEXT NOT NULL DEFAULT '',
    stored_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX rollup_verdicts_stored_idx ON rollup_verdicts (stored_at);
)SQL"},
    // Where a sample came from and what may be sent for it (docs/state-db.md). The
    // restrictions dionaea's vtcache import recorded in honeyvt_ingest_intent (before
    // they were job columns) are carried over.
    Migration{"sample roots, size, recorded upload and comment restrictions", R"SQL(
ALTER TABLE jobs ADD COLUMN root TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN seen_in TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN size INTEGER;
ALTER TABLE jobs ADD COLUMN may_upload INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN may_comment INTEGER NOT NULL DEFAULT 1;
CREATE TABLE IF NOT EXISTS honeyvt_ingest_intent (
    md5 TEXT PRIMARY KEY,
    may_upload INTEGER NOT NULL,
    may_comment INTEGER NOT NULL,
    scan_id TEXT,
    origin TEXT NOT NULL
);
UPDATE jobs SET may_upload = 0
    WHERE md5 IN (SELECT md5 FROM honeyvt_ingest_intent WHERE may_upload = 0);
UPDATE jobs SET may_comment = 0
    WHERE md5 IN (SELECT md5 FROM honeyvt_ingest_intent WHERE may_comment = 0);
)SQL"},
    // What the directory watcher has hashed and offered already, so that a restart does
    // not read unchanged files again, and when each directory was last scanned, so that
    // only files that appeared since count as live (docs/state-db.md).
    Migration{"file identity cache, directory scan marks", R"SQL(
CREATE TABLE file_identity (
    device INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    md5 TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    dir TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (device, inode)
) WITHOUT ROWID;
CREATE TABLE scan_marks (
    dir TEXT PRIMARY KEY,
    scanned_at INTEGER NOT NULL
);
)SQL"},
    // The dashboard's all-time answers without a scan of the hourly rollups: every remote
    // host's totals (a window that covers all the data counts and ranks these), and the
    // undetected verdicts found through a small partial index (docs/web.md).
    Migration{"dashboard: all-time host totals, undetected verdicts index", R"SQL(
CREATE TABLE rollup_hosts (
    host TEXT PRIMARY KEY,
    connections INTEGER NOT NULL DEFAULT 0,
    downloads INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX rollup_hosts_connections_idx ON rollup_hosts (connections DESC, host);
INSERT INTO rollup_hosts (host, connections, downloads)
    SELECT host, sum(connections), sum(downloads) FROM rollup_attackers GROUP BY host;
CREATE INDEX rollup_verdicts_undetected_idx ON rollup_verdicts (md5)
    WHERE positives = 0 AND total > 0;
)SQL"},
};

// seen_in is stored as its folders joined by newlines (a root holds no newline).
std::vector<std::string> SplitRoots(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (auto& r : Split(text, '\n')) out.push_back(std::move(r));
  return out;
}

std::string JoinRoots(const std::vector<std::string>& roots) {
  std::string out;
  for (const auto& r : roots) out += (out.empty() ? "" : "\n") + r;
  return out;
}

// A job that failed for want of its file, or because its file was no longer the sample,
// takes a new path from an enqueue.
bool RevivedByPath(std::string_view last_error) {
  return last_error.starts_with(domain::kMissingFileReason) ||
         last_error.starts_with(domain::kNotTheSampleReason);
}

std::optional<std::string> NonEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

std::int64_t ToUnixMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint FromUnixMillis(std::int64_t ms) {
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::milliseconds(ms)));
}

Result<StateDb> StateDb::OpenWith(const std::filesystem::path& path, OpenMode mode) {
  ASSIGN_OR_RETURN(
      Database db,
      Database::Open(
          path, {.mode = mode, .busy_timeout = std::chrono::milliseconds(10000), .owned = true}));
  RETURN_IF_ERROR(Migrate(db, kMigrations));
  return StateDb(std::move(db));
}

Result<StateDb> StateDb::Open(const std::filesystem::path& path) {
  return OpenWith(path, OpenMode::kCreate);
}

Result<StateDb> StateDb::OpenExisting(const std::filesystem::path& path) {
  return OpenWith(path, OpenMode::kReadWrite);
}

Result<EnqueueCounts> StateDb::Enqueue(std::span<const EnqueueItem> items, TimePoint now) {
  const std::int64_t now_ms = ToUnixMillis(now);
  // A large batch touches index pages all over the file: give it a bigger page cache for
  // the duration (the daemon keeps SQLite's small default).
  const bool bulk = items.size() > 1000;
  if (bulk) RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size = -16384"));
  struct RestoreCache {
    Database* db;
    bool active;
    ~RestoreCache() {
      if (active) (void)db->Exec("PRAGMA cache_size = -2000");
    }
  } restore{&db_, bulk};
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
  ASSIGN_OR_RETURN(
      Statement find_any,
      db_.Prepare("SELECT id, path, priority, state, last_error, md5, sha1, sha256, root, "
                  "seen_in, size, may_upload, may_comment "
                  "FROM jobs WHERE md5 = ?1 OR sha1 = ?2 OR sha256 = ?3 LIMIT 1"));
  // The common case (dionaea, `enqueue --hash` of md5s) searches one index only.
  ASSIGN_OR_RETURN(
      Statement find_md5,
      db_.Prepare("SELECT id, path, priority, state, last_error, md5, sha1, sha256, root, "
                  "seen_in, size, may_upload, may_comment FROM jobs WHERE md5 = ?1"));
  ASSIGN_OR_RETURN(
      Statement insert,
      db_.Prepare("INSERT OR IGNORE INTO jobs (md5, sha1, sha256, path, source, priority, state, "
                  "next_action_at, created_at, updated_at, root, seen_in, size, may_upload, "
                  "may_comment) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  ASSIGN_OR_RETURN(Statement update,
                   db_.Prepare("UPDATE jobs SET path = ?2, priority = ?3, state = ?4, "
                               "attempts = CASE WHEN ?4 = state THEN attempts ELSE 0 END, "
                               "next_action_at = CASE WHEN ?4 = state THEN next_action_at "
                               "ELSE ?5 END, updated_at = ?5, root = ?6, seen_in = ?7, size = ?8, "
                               "may_upload = ?9, may_comment = ?10 WHERE id = ?1"));
  ASSIGN_OR_RETURN(Statement fill_md5,
                   db_.Prepare("UPDATE OR IGNORE jobs SET md5 = ?2 WHERE id = ?1 AND md5 IS NULL"));
  ASSIGN_OR_RETURN(Statement fill_sha1, db_.Prepare("UPDATE OR IGNORE jobs SET sha1 = ?2 "
                                                    "WHERE id = ?1 AND sha1 IS NULL"));
  ASSIGN_OR_RETURN(Statement fill_sha256, db_.Prepare("UPDATE OR IGNORE jobs SET sha256 = ?2 "
                                                      "WHERE id = ?1 AND sha256 IS NULL"));
  EnqueueCounts counts;
  for (const EnqueueItem& item : items) {
    if (item.md5.empty() && item.sha1.empty() && item.sha256.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "enqueue: an item has no hash");
    }
    if (item.root.find('\n') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "enqueue: a folder name holds a newline");
    }
    // New samples (the bulk case) cost one statement; a conflict on any hash means the
    // sample is queued already and is merged below.
    insert.Reset();
    insert.BindAll(NonEmpty(item.md5), NonEmpty(item.sha1), NonEmpty(item.sha256), item.path,
                   item.source, item.priority, JobStateName(JobState::kLookup), now_ms, now_ms,
                   now_ms, item.path.empty() ? std::string() : item.root, item.root,
                   item.path.empty() ? std::nullopt : item.size, item.may_upload ? 1 : 0,
                   item.may_comment ? 1 : 0);
    RETURN_IF_ERROR(insert.Run());
    if (db_.Changes() == 1) {
      ++counts.added;
      continue;
    }
    const bool md5_only = !item.md5.empty() && item.sha1.empty() && item.sha256.empty();
    Statement& find = md5_only ? find_md5 : find_any;
    find.Reset();
    if (md5_only) {
      find.Bind(1, item.md5);
    } else {
      find.BindAll(NonEmpty(item.md5), NonEmpty(item.sha1), NonEmpty(item.sha256));
    }
    ASSIGN_OR_RETURN(bool found, find.Step());
    if (!found) return MakeError(ErrorCode::kInternal, "enqueue: conflicting job not found");
    const std::int64_t id = find.Int64(0);
    std::string path = find.Text(1);
    std::int64_t priority = find.Int64(2);
    std::string state = find.Text(3);
    const std::string last_error = find.Text(4);
    const bool missing[3] = {find.IsNull(5), find.IsNull(6), find.IsNull(7)};
    std::string root = find.Text(8);
    std::vector<std::string> seen_in = SplitRoots(find.TextView(9));
    std::optional<std::int64_t> size;
    if (!find.IsNull(10)) size = find.Int64(10);
    bool may_upload = find.Int64(11) != 0;
    bool may_comment = find.Int64(12) != 0;
    find.Reset();
    bool changed = false;
    const bool new_file =
        !item.path.empty() &&
        (path.empty() || (state == JobStateName(JobState::kFailed) && RevivedByPath(last_error)));
    if (new_file) {
      path = item.path;
      root = item.root;
      size = item.size;
      changed = true;
      // A sample that failed for lack of its file (or of the right one) gets another
      // chance once a file exists.
      if (state == JobStateName(JobState::kFailed) || state == JobStateName(JobState::kRelookup)) {
        state = JobStateName(JobState::kLookup);
      }
    }
    if (!item.root.empty() &&
        std::find(seen_in.begin(), seen_in.end(), item.root) == seen_in.end()) {
      seen_in.push_back(item.root);  // a stricter folder's policy applies from now on
      changed = true;
    }
    // Restrictions only tighten: whatever path a sample arrives by later.
    if ((may_upload && !item.may_upload) || (may_comment && !item.may_comment)) {
      may_upload = may_upload && item.may_upload;
      may_comment = may_comment && item.may_comment;
      changed = true;
    }
    if (item.priority > priority) {
      priority = item.priority;
      changed = true;
    }
    if (changed) {
      update.Reset();
      update.BindAll(id, path, priority, state, now_ms, root, JoinRoots(seen_in), size,
                     may_upload ? 1 : 0, may_comment ? 1 : 0);
      RETURN_IF_ERROR(update.Run());
    }
    const std::pair<Statement*, const std::string*> fills[3] = {
        {&fill_md5, &item.md5}, {&fill_sha1, &item.sha1}, {&fill_sha256, &item.sha256}};
    for (int i = 0; i < 3; ++i) {
      if (!missing[i] || fills[i].second->empty()) continue;
      fills[i].first->Reset();
      fills[i].first->BindAll(id, *fills[i].second);
      RETURN_IF_ERROR(fills[i].first->Run());
      changed = changed || db_.Changes() > 0;
    }
    if (changed) {
      ++counts.updated;
    } else {
      ++counts.unchanged;
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  return counts;
}

}  // namespace honeyvt::store
