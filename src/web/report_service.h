#pragma once
// The dashboard's `honeyvt report` runs. A report reads millions of rows (0.5-4 s on
// 50,000 samples), so no request ever runs one and none reads dionaea's file for it:
//  - each distinct query (report and parameters) is computed by the report module on the
//    report replica (replica.h) in the dashboard's reports thread, and its rendered answer
//    (the CLI's JSON and CSV text, byte for byte) is kept;
//  - a request gets the kept answer at once, or "pending" while the query's first run is
//    queued or running (the page asks again shortly);
//  - a kept answer older than a minute is computed again in the background when the
//    replica has changed since (or its window is relative, e.g. --since 7d) and is served
//    meanwhile, marked stale; at most 64 answers are kept;
//  - history (one sample's reports) reads a handful of rows through logsql's indexes: it
//    runs at once, on logsql itself (the replica does not copy honeyvt's history tables),
//    in one short read transaction.
// Without a reports thread (tests, `inline_runs`) Get() brings the replica up to date and
// computes in the calling thread instead.
// Thread-safe.

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "web/db.h"
#include "web/http.h"
#include "web/replica.h"

namespace honeyvt::web {

// A report and its parameters, as `honeyvt report` takes them.
struct ReportQuery {
  std::string name;          // summary, families, undetected, aliases, signatures, history
  std::string since, until;  // time specs as typed (--since/--until); "" = none
  std::int64_t limit = 0;    // --limit (0 = every row)
  std::string pattern;       // aliases, signatures
  bool by_label = false;     // --family
  std::string vendor;        // undetected
  bool vuln_only = false, include_absent = false;
  std::string md5;  // history

  std::string Key() const;
  // The equivalent command line (without --format).
  std::string Command(const std::filesystem::path& logsql) const;
};

// The API's parameters (?since=&until=&limit=&pattern=&family=1&vendor=&vuln_only=1&
// include_absent=1&md5=) of report `name`; kInvalidArgument says what is wrong, kNotFound
// for an unknown report.
Result<ReportQuery> ParseReportQuery(const std::string& name, const Request& request,
                                     TimePoint now);

struct RenderedReport {
  std::string json;  // `honeyvt report ... --format json`
  std::string csv;   // `... --format csv`
  std::vector<std::string> notes;
  TimePoint computed_at{};
  std::int64_t generation = -1;  // of the replica it was computed on (-1: logsql)
};

class ReportService {
 public:
  struct Config {
    std::filesystem::path logsql;   // for history and the command lines
    std::filesystem::path replica;  // where the report replica lives
    Pool* logsql_pool = nullptr;
    ReadMetrics reads;
    ReplicaOptions replica_options;
    bool inline_runs = false;  // no reports thread: Get() computes
    // A kept answer is computed again when it is at least this old and the replica has
    // changed since (or its window is relative).
    Duration refresh_after = std::chrono::seconds(60);
  };
  ReportService(Config config, Clock& clock);
  ~ReportService();

  struct Answer {
    std::shared_ptr<const RenderedReport> report;  // null while pending
    std::optional<Error> error;                    // the run failed
    bool stale = false;                            // a newer run is queued
    std::string progress;                          // why it is pending
  };
  // Never blocks on a report run (except history, and in inline mode).
  Answer Get(const ReportQuery& query);

  // The reports thread: one sync pass of the replica (opened on first use), then the
  // queued runs, until `stop`; sleeps `interval` between passes unless a query arrives.
  void RunThread(std::stop_token stop, Duration interval);
  // One replica pass and every queued run, in the calling thread (tests, inline mode).
  Status Work();

  struct State {
    bool replica_open = false;
    bool caught_up = false;
    std::int64_t generation = 0;
    std::vector<ReplicaTableState> tables;
    std::string last_error;
    std::size_t kept = 0, queued = 0;
  };
  State state();
  const std::filesystem::path& replica_path() const { return config_.replica; }

 private:
  struct Entry {
    std::shared_ptr<const RenderedReport> report;
    std::optional<Error> error;
    TimePoint at{};
    std::int64_t generation = -1;
  };
  Status SyncLocked();                         // replica_mu_ held
  Status RunLocked(const ReportQuery& query);  // replica_mu_ held
  Result<RenderedReport> Compute(const ReportQuery& query, const std::filesystem::path& db);
  bool NeedsRun(const Entry& entry, const ReportQuery& query) const;  // mu_ held
  void Enqueue(const ReportQuery& query);                             // mu_ held
  void Wake();

  Config config_;
  Clock& clock_;
  std::mutex replica_mu_;                   // the replica: one pass or one run at a time
  std::unique_ptr<ReportReplica> replica_;  // guarded by replica_mu_
  std::mutex mu_;
  std::map<std::string, Entry> kept_;      // guarded by mu_
  std::deque<ReportQuery> queue_;          // guarded by mu_
  std::set<std::string> queued_;           // guarded by mu_
  std::int64_t generation_ = 0;            // guarded by mu_ (copy of the replica's)
  bool caught_up_ = false;                 // guarded by mu_
  bool replica_open_ = false;              // guarded by mu_
  std::vector<ReplicaTableState> tables_;  // guarded by mu_
  std::string last_error_;                 // guarded by mu_
  std::stop_source wake_;                  // guarded by mu_: interrupts the thread's sleep
};

}  // namespace honeyvt::web
