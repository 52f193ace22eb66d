#pragma once
// The report replica: a copy of what `honeyvt report` reads from dionaea's logsql
// (connection times and roots, downloads, VirusTotal reports and their scan rows, DCERPC
// requests, services and ops), kept in a file of honeyvt's own and updated incrementally,
// so the dashboard runs the report module (src/report, unchanged) on it: the same code,
// hence the same rows as `honeyvt report ... --format json`, without ever holding a long
// read transaction on dionaea's file (a report reads millions of rows).
//
// The file has dionaea's schema, so the report module reads it exactly as it reads
// logsql, but only the columns the reports read are filled, dionaea's trigger and
// secondary indexes are dropped and honeyvt's report indexes (report/indexes.h) are
// added. It is a cache: deleting it costs a rebuild, nothing else.
//
// Each Sync() pass works table by table in chunks of at most `chunk_rows` logsql rows,
// each chunk read in one read transaction on logsql (ReadScope: measured, never longer
// than a few milliseconds) and applied in one write transaction here:
//  - it appends the rows past the table's cursor;
//  - it re-checks the last `tail_rows` rows before the cursor: SQLite hands out the
//    greatest rowid again once its row is deleted, and dionaea links a child connection
//    (UPDATE of its root) right after inserting it;
//  - when a VirusTotal report arrives, it drops the reports of the same md5 that logsql no
//    longer has (honeyvt's writer replaces a refreshed sample's report) with their scan
//    rows, and re-copies the scan rows of any report whose row changed;
//  - it verifies one chunk of older rows per table (a sweep cycling through every table),
//    so any other change (a hand edit) reaches the copy within one sweep cycle;
//  - it starts again from nothing when logsql's connections end below the cursor (a new
//    file in the same place).
// Copying rows from the start takes a while on a big file (about a minute for 50,000
// samples with 3.5 million scan rows); caught_up() says when the first copy is complete.
// Not thread-safe: one thread syncs (the dashboard's reports thread); readers open their
// own read-only connections to path() (WAL: they never block the sync).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"
#include "web/db.h"

namespace honeyvt::web {

struct ReplicaOptions {
  int chunk_rows = 500;  // logsql rows per read transaction (about 10 ms)
  int tail_rows = 1000;  // rows before the cursor re-checked per pass (connections: 4x)
  int max_chunks = 50;   // appended chunks per table and pass (a pass yields to reports)
};

struct ReplicaTableState {
  std::string table;
  std::int64_t cursor = 0;  // rows up to this id are copied
  std::int64_t sweep = 0;   // the sweep verifies rows after this id next
};

struct SyncStats {
  std::int64_t rows_read = 0;  // logsql rows read
  std::int64_t changed = 0;    // replica rows written or deleted
  bool caught_up = false;      // every table's cursor reached logsql's last row
};

class ReportReplica {
 public:
  // Opens the replica at `path`, creating it (or recreating one of another layout
  // version). `logsql` gives read-only logsql connections; `reads` measures their read
  // transactions.
  static Result<std::unique_ptr<ReportReplica>> Open(const std::filesystem::path& path,
                                                     Pool& logsql, ReadMetrics reads,
                                                     ReplicaOptions options = {});

  // One pass (see above).
  Result<SyncStats> Sync();

  const std::filesystem::path& path() const { return path_; }
  // Grows whenever a pass changed the copy (reports computed on an older generation may
  // be out of date).
  std::int64_t generation() const { return generation_; }
  // Whether the copy has reached the end of every table at least once (until then a
  // report on it would count too little).
  bool caught_up() const { return caught_up_; }
  std::vector<ReplicaTableState> tables() const;
  // Rows in the replica's tables (connections, downloads, virustotals, virustotalscans).
  Result<std::vector<std::pair<std::string, std::int64_t>>> RowCounts();

  struct Table;  // one copied table (replica.cc)
  ~ReportReplica();

 private:
  ReportReplica(std::filesystem::path path, store::Database db, Pool& logsql, ReadMetrics reads,
                ReplicaOptions options);
  Status Load();
  Status Save(std::size_t table);
  Status Reset();
  struct Chunk;
  Result<Chunk> Reconcile(std::size_t table, std::int64_t after, std::int64_t until, int limit);
  Status ResyncReports(const std::vector<std::int64_t>& ids, const std::vector<std::string>& md5s,
                       Chunk& chunk);

  std::filesystem::path path_;
  store::Database db_;
  Pool& logsql_;
  ReadMetrics reads_;
  ReplicaOptions options_;
  std::vector<ReplicaTableState> state_;  // parallel to the table list
  std::int64_t generation_ = 0;
  bool caught_up_ = false;
  bool indexed_ = false;  // the report indexes exist (built after the first full copy)
};

}  // namespace honeyvt::web
