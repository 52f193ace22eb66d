#pragma once
// The database side every report shares: opens a dionaea logsql file read-only (the
// file is never written; only connection-level pragmas are set) and reads the samples
// in scope into memory.
//
// Definitions used by every report (docs/reports.md):
// - A *sample* is a distinct non-empty downloads.download_md5_hash, or an md5 with a
//   report (a virustotals row) and no download: honeyvt checks samples from `watch`
//   folders, `enqueue` and other honeypots too. A sample's *source* is "dionaea downloads"
//   when it has a download row, else the `source` of its honeyvt job (state database:
//   `enqueue`, `watch:<dir>`, ...), else "unknown".
// - With --since/--until a sample with downloads is in scope when at least one of them
//   happened in [since, until), the download's time being its connection's
//   connection_timestamp (downloads have no timestamp of their own); its download count is
//   then the downloads in the window. A sample without downloads is in scope when honeyvt
//   first saw it in the window: its job's created_at, else the first fetch of a report of
//   it (honeyvt_reports.fetched_at); with neither it is in no window.
// - A sample's *reports* are the virustotals rows with virustotal_md5_hash = md5. Its
//   *latest report* is the one with the greatest virustotal_timestamp (then the greatest
//   id). Per-sample verdicts (undetected, families, summary ratios) use the latest
//   report; name inventories (aliases, signatures) use every report.
//
// The scope is read once, on the first EnsureScope(), from three sequential table
// reads (connections, downloads, virustotals) joined in memory, plus, only when some
// reported md5 has no download, the jobs of honeyvt's state database (read-only) (SQLite has no
// hash join; 100,000 B-tree lookups cost more): samples(), reports(), downloads(). Reports that
// need no scope (history) never pay for it. The reports join these vectors with their
// own reads in C++; nothing is written, not even TEMP tables.
//
// A Source is single-threaded, like the Database it owns.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/logsql.h"

namespace honeyvt::report {

struct ScopeSample {
  std::string md5;
  std::int64_t downloads = 0;  // in the window (0 for a sample without downloads)
  double first_seen = 0;       // earliest download in the window (0 = unknown); without
                               // downloads: when honeyvt first saw it
  double first_ever = 0;       // earliest download at all (0 = unknown); without downloads:
                               // when honeyvt first saw it
  std::int64_t latest = -1;    // id of the latest report, -1 = none
  std::uint32_t origin = 0;    // index into Source::origins(); 0 = dionaea's downloads
};

struct ScopeReport {
  std::int64_t id = 0;     // virustotal
  std::size_t sample = 0;  // index into samples()
  std::int64_t ts = 0;
};

struct ScopeDownload {
  std::size_t sample = 0;  // index into samples()
  std::int64_t root = -1;  // COALESCE(connection_root, connection); -1 = no connection row
};

struct Filter {
  std::optional<double> since;  // Unix seconds, inclusive
  std::optional<double> until;  // Unix seconds, exclusive
  std::int64_t limit = 0;       // rows to print; 0 = every row
};

class Source {
 public:
  // Opens `path` read-only. `state` is honeyvt's state database, read (read-only) for the
  // source and first-seen time of samples without a download; empty or missing: their
  // source is "unknown" (a note says so) and they are dated by their first report fetch.
  // Errors: missing file (kNotFound), not SQLite or not a dionaea database (kCorrupt),
  // unreadable (kIo); the message names the file.
  static Result<Source> Open(const std::filesystem::path& path, const Filter& filter,
                             std::filesystem::path state = {});

  // Reads the scope into memory once (about 0.15 s on 50,000 samples); later calls
  // return at once. Every report except history calls it first.
  // With `connection_times` false and no --since/--until, connections are not read:
  // first_seen/first_ever stay 0 and download roots -1 (aliases and signatures need
  // neither). A later call asking for them reads the scope again.
  Status EnsureScope(bool connection_times = true);
  // Samples in scope ordered by md5; their reports ordered by id. Valid after EnsureScope.
  const std::vector<ScopeSample>& samples() const { return samples_; }
  const std::vector<ScopeReport>& reports() const { return reports_; }
  // The downloads in the window (all downloads without one), in table order.
  const std::vector<ScopeDownload>& downloads() const { return downloads_; }
  // Source names of the samples (ScopeSample::origin): [0] = "dionaea downloads", then
  // the job sources of samples without downloads, and "unknown". Valid after EnsureScope.
  const std::vector<std::string>& origins() const { return origins_; }

  store::Database& db() { return logsql_.db(); }
  const Filter& filter() const { return filter_; }
  // dcerpcrequests, dcerpcservices and dcerpcserviceops all present.
  bool has_dcerpc() const { return has_dcerpc_; }
  // honeyvt's own report history (honeyvt_reports, honeyvt_engine_results).
  bool has_history() const { return logsql_.era().has_honeyvt_tables; }
  // Remarks for a human gathered while reading (e.g. a stale cache); the CLI prints them
  // on stderr next to the Document's notes.
  void AddNote(std::string note) { notes_.push_back(std::move(note)); }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  Source(store::Logsql logsql, Filter filter, std::filesystem::path state)
      : logsql_(std::move(logsql)), filter_(filter), state_(std::move(state)) {}
  Status BuildScope(bool connection_times);
  struct Sighting {
    std::uint32_t origin = 0;
    double first_seen = 0;  // 0 = unknown
  };
  // Source and first sight of each md5 of `md5s` (samples without downloads), in order.
  Result<std::vector<Sighting>> SightingsOf(const std::vector<const std::string*>& md5s);
  store::Logsql logsql_;
  Filter filter_;
  std::filesystem::path state_;
  bool has_dcerpc_ = false;
  bool scope_built_ = false;
  bool scope_has_times_ = false;
  std::vector<ScopeSample> samples_;
  std::vector<ScopeReport> reports_;
  std::vector<ScopeDownload> downloads_;
  std::vector<std::string> origins_;
  std::vector<std::string> notes_;
};

}  // namespace honeyvt::report
