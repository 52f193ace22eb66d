#include "report/source.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <vector>

namespace honeyvt::report {
namespace {

// Connection-level settings only (never persistent file settings): read through mmap and
// a bigger page cache, TEMP tables in memory.
constexpr const char* kPragmas = R"SQL(
PRAGMA mmap_size = 1073741824;
PRAGMA cache_size = -65536;
PRAGMA temp_store = MEMORY;
)SQL";

struct SampleStats {
  std::int64_t latest_id = -1;  // latest report: greatest (ts, id)
  std::int64_t latest_ts = 0;
  std::int64_t downloads = 0;  // in the window
  double first_seen = 0;       // earliest in the window (0 = unknown)
  double first_ever = 0;       // earliest of all downloads (0 = unknown)
  std::size_t position = 0;    // index in Source::samples_ once sorted
};

// connection id -> timestamp (NaN = unknown) and the attack's root connection
// (COALESCE(connection_root, connection); -1 = no such connection row); ids are usually
// dense, so a vector with a map fallback.
class ConnectionTimes {
 public:
  struct Info {
    double ts = kUnknown;
    std::int64_t root = -1;
  };
  void Add(std::int64_t id, double ts, std::int64_t root) {
    if (id >= 0 && id < (1 << 26)) {
      const auto i = static_cast<std::size_t>(id);
      if (i >= dense_.size()) dense_.resize(i + 1);
      dense_[i] = {ts, root};
    } else {
      sparse_[id] = {ts, root};
    }
  }
  Info Find(std::int64_t id) const {
    if (id >= 0 && static_cast<std::size_t>(id) < dense_.size()) {
      return dense_[static_cast<std::size_t>(id)];
    }
    auto it = sparse_.find(id);
    return it == sparse_.end() ? Info{} : it->second;
  }
  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

 private:
  std::vector<Info> dense_;
  std::unordered_map<std::int64_t, Info> sparse_;
};

}  // namespace

Result<Source> Source::Open(const std::filesystem::path& path, const Filter& filter) {
  ASSIGN_OR_RETURN(store::Logsql logsql, store::Logsql::Open(path, store::OpenMode::kReadOnly));
  Source source(std::move(logsql), filter);
  source.has_dcerpc_ = source.db().TableExists("dcerpcrequests") &&
                       source.db().TableExists("dcerpcservices") &&
                       source.db().TableExists("dcerpcserviceops");
  RETURN_IF_ERROR(source.db().Exec(kPragmas));
  return source;
}

Status Source::EnsureScope(bool connection_times) {
  const bool windowed = filter_.since.has_value() || filter_.until.has_value();
  connection_times = connection_times || windowed;
  if (scope_built_ && (scope_has_times_ || !connection_times)) return {};
  RETURN_IF_ERROR(BuildScope(connection_times));
  scope_built_ = true;
  scope_has_times_ = connection_times;
  return {};
}

// Sequential reads of connections, downloads and virustotals joined in memory: SQLite has
// no hash join, and 100,000 random B-tree lookups cost far more than three table scans.
Status Source::BuildScope(bool connection_times) {
  store::Database& db = this->db();
  // One read transaction: the three tables are read from one snapshot while dionaea may
  // be writing (it only holds a shared lock for the few hundred milliseconds of the scope).
  ASSIGN_OR_RETURN(store::Transaction tx,
                   store::Transaction::Begin(db, store::Transaction::Kind::kDeferred));
  ConnectionTimes times;
  if (connection_times) {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare("SELECT connection, connection_timestamp, "
                                "COALESCE(connection_root, connection) FROM connections"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      times.Add(stmt.Int64(0), stmt.IsNull(1) ? ConnectionTimes::kUnknown : stmt.Double(1),
                stmt.IsNull(2) ? stmt.Int64(0) : stmt.Int64(2));
    }
  }
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view v) const { return std::hash<std::string_view>{}(v); }
  };
  std::unordered_map<std::string, SampleStats, Hash, std::equal_to<>> samples;
  struct Download {
    SampleStats* sample;
    std::int64_t root;
  };
  std::vector<Download> downloads;  // in the window
  samples.reserve(1 << 16);
  downloads.reserve(1 << 17);
  {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare("SELECT connection, download_md5_hash FROM downloads "
                                "WHERE download_md5_hash IS NOT NULL AND download_md5_hash <> ''"));
    const bool windowed = filter_.since.has_value() || filter_.until.has_value();
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      const ConnectionTimes::Info conn =
          stmt.IsNull(0) ? ConnectionTimes::Info{} : times.Find(stmt.Int64(0));
      const double ts = conn.ts;
      const bool known = !std::isnan(ts);
      const bool in_window = !windowed || (known && (!filter_.since || ts >= *filter_.since) &&
                                           (!filter_.until || ts < *filter_.until));
      auto it = samples.find(stmt.TextView(1));
      if (it == samples.end()) it = samples.emplace(stmt.Text(1), SampleStats{}).first;
      SampleStats& s = it->second;
      if (known && (s.first_ever == 0 || ts < s.first_ever)) s.first_ever = ts;
      if (in_window) {
        ++s.downloads;
        downloads.push_back({&s, conn.root});
        if (known && (s.first_seen == 0 || ts < s.first_seen)) s.first_seen = ts;
      }
    }
  }
  // Samples in scope, ordered by md5 (pointers into the map: no copy, no second lookup).
  using Entry = std::pair<const std::string, SampleStats>;
  std::vector<Entry*> in_scope;
  in_scope.reserve(samples.size());
  for (Entry& entry : samples) {
    if (entry.second.downloads > 0) in_scope.push_back(&entry);
  }
  std::sort(in_scope.begin(), in_scope.end(),
            [](const Entry* a, const Entry* b) { return a->first < b->first; });
  // Latest report per sample: greatest (timestamp, id). Reports point at the sample's
  // position, known once the samples are sorted.
  struct Report {
    std::int64_t id;
    SampleStats* sample;
    std::int64_t ts;
  };
  std::vector<Report> reports;
  {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare("SELECT virustotal, virustotal_md5_hash, virustotal_timestamp "
                                "FROM virustotals"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      auto it = samples.find(stmt.TextView(1));
      if (it == samples.end() || it->second.downloads == 0) continue;
      SampleStats& s = it->second;
      const std::int64_t id = stmt.Int64(0);
      const std::int64_t ts = stmt.Int64(2);
      if (s.latest_id < 0 || std::make_pair(ts, id) > std::make_pair(s.latest_ts, s.latest_id)) {
        s.latest_id = id;
        s.latest_ts = ts;
      }
      reports.push_back({id, &s, ts});
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  samples_.clear();
  samples_.reserve(in_scope.size());
  for (std::size_t i = 0; i < in_scope.size(); ++i) {
    auto& [md5, s] = *in_scope[i];
    s.position = i;
    samples_.push_back({md5, s.downloads, s.first_seen, s.first_ever, -1});
  }
  downloads_.clear();
  downloads_.reserve(downloads.size());
  for (const Download& d : downloads) downloads_.push_back({d.sample->position, d.root});
  std::sort(reports.begin(), reports.end(),
            [](const Report& a, const Report& b) { return a.id < b.id; });
  reports_.clear();
  reports_.reserve(reports.size());
  for (const Report& r : reports) {
    reports_.push_back({r.id, r.sample->position, r.ts});
    if (r.sample->latest_id == r.id) samples_[r.sample->position].latest = r.id;
  }
  return {};
}

}  // namespace honeyvt::report
