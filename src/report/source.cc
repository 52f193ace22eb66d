#include "report/source.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

#include "store/job_origins.h"

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
  bool downloaded = false;     // has a download row (in the window or not)
  bool in_scope = false;       // a download in the window, or first seen in it
  std::int64_t downloads = 0;  // in the window
  double first_seen = 0;       // earliest in the window (0 = unknown)
  double first_ever = 0;       // earliest of all downloads (0 = unknown)
  std::uint32_t origin = 0;    // Source::origins_ index
  std::size_t position = 0;    // index in Source::samples_ once sorted
};

constexpr const char* kDownloadsOrigin = "dionaea downloads";
constexpr const char* kUnknownOrigin = "unknown";

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

Result<Source> Source::Open(const std::filesystem::path& path, const Filter& filter,
                            std::filesystem::path state) {
  ASSIGN_OR_RETURN(store::Logsql logsql, store::Logsql::Open(path, store::OpenMode::kReadOnly));
  Source source(std::move(logsql), filter, std::move(state));
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
  const bool windowed = filter_.since.has_value() || filter_.until.has_value();
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
      s.downloaded = true;
      if (known && (s.first_ever == 0 || ts < s.first_ever)) s.first_ever = ts;
      if (in_window) {
        s.in_scope = true;
        ++s.downloads;
        downloads.push_back({&s, conn.root});
        if (known && (s.first_seen == 0 || ts < s.first_seen)) s.first_seen = ts;
      }
    }
  }
  // Latest report per sample: greatest (timestamp, id). Reports point at the sample's
  // position, known once the samples are sorted. An md5 with reports and no download is
  // a sample too (watch folders, enqueue, other honeypots); whether it is in the window
  // is known once honeyvt's first sight of it is.
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
      if (stmt.TextView(1).empty()) continue;
      auto it = samples.find(stmt.TextView(1));
      if (it == samples.end()) it = samples.emplace(stmt.Text(1), SampleStats{}).first;
      SampleStats& s = it->second;
      if (s.downloaded && !s.in_scope) continue;  // its downloads are outside the window
      const std::int64_t id = stmt.Int64(0);
      const std::int64_t ts = stmt.Int64(2);
      if (s.latest_id < 0 || std::make_pair(ts, id) > std::make_pair(s.latest_ts, s.latest_id)) {
        s.latest_id = id;
        s.latest_ts = ts;
      }
      reports.push_back({id, &s, ts});
    }
  }
  using Entry = std::pair<const std::string, SampleStats>;
  std::vector<Entry*> report_only;
  for (Entry& entry : samples) {
    if (!entry.second.downloaded) report_only.push_back(&entry);
  }
  origins_ = {kDownloadsOrigin};
  if (!report_only.empty()) {
    std::vector<const std::string*> md5s;
    md5s.reserve(report_only.size());
    for (const Entry* e : report_only) md5s.push_back(&e->first);
    ASSIGN_OR_RETURN(std::vector<Sighting> seen, SightingsOf(md5s));
    for (std::size_t i = 0; i < report_only.size(); ++i) {
      SampleStats& s = report_only[i]->second;
      s.origin = seen[i].origin;
      s.first_seen = s.first_ever = seen[i].first_seen;
      const bool known = seen[i].first_seen > 0;
      s.in_scope = !windowed || (known && (!filter_.since || s.first_seen >= *filter_.since) &&
                                 (!filter_.until || s.first_seen < *filter_.until));
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  // Samples in scope, ordered by md5 (pointers into the map: no copy, no second lookup).
  std::vector<Entry*> in_scope;
  in_scope.reserve(samples.size());
  for (Entry& entry : samples) {
    if (entry.second.in_scope) in_scope.push_back(&entry);
  }
  std::sort(in_scope.begin(), in_scope.end(),
            [](const Entry* a, const Entry* b) { return a->first < b->first; });
  std::erase_if(reports, [](const Report& r) { return !r.sample->in_scope; });
  samples_.clear();
  samples_.reserve(in_scope.size());
  for (std::size_t i = 0; i < in_scope.size(); ++i) {
    auto& [md5, s] = *in_scope[i];
    s.position = i;
    samples_.push_back({md5, s.downloads, s.first_seen, s.first_ever, -1, s.origin});
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

// Samples without downloads: the source and creation time of their honeyvt job, else
// "unknown" and the first fetch of one of their reports.
Result<std::vector<Source::Sighting>> Source::SightingsOf(
    const std::vector<const std::string*>& md5s) {
  std::unordered_map<std::string, Sighting> jobs;
  std::unordered_map<std::string, std::uint32_t> origin_ids;
  auto origin_id = [&](const std::string& name) {
    auto [it, added] = origin_ids.emplace(name, static_cast<std::uint32_t>(origins_.size()));
    if (added) origins_.push_back(name);
    return it->second;
  };
  std::string why_unknown;
  if (state_.empty()) {
    why_unknown = "no honeyvt state database was given";
  } else if (auto origins = store::ReadJobOrigins(state_); !origins) {
    why_unknown = origins.error().message;
  } else {
    for (store::JobOrigin& o : *origins) {
      jobs[std::move(o.md5)] = {origin_id(o.source.empty() ? kUnknownOrigin : o.source),
                                o.first_seen};
    }
  }
  std::optional<store::Statement> first_fetch;
  if (has_history()) {
    ASSIGN_OR_RETURN(first_fetch,
                     db().Prepare("SELECT min(fetched_at) FROM honeyvt_reports WHERE md5 = ?"));
  }
  std::vector<Sighting> out;
  out.reserve(md5s.size());
  std::size_t without_job = 0;
  for (const std::string* md5 : md5s) {
    if (auto it = jobs.find(*md5); it != jobs.end()) {
      out.push_back(it->second);
      continue;
    }
    ++without_job;
    Sighting& s = out.emplace_back();
    s.origin = origin_id(kUnknownOrigin);
    if (first_fetch) {
      first_fetch->Reset();
      first_fetch->Bind(1, *md5);
      ASSIGN_OR_RETURN(bool row, first_fetch->Step());
      if (row && !first_fetch->IsNull(0)) s.first_seen = first_fetch->Double(0);
    }
  }
  if (!why_unknown.empty()) {
    AddNote(std::to_string(without_job) +
            " samples have a report but no download, and their source is unknown (" + why_unknown +
            "); they are dated by the first fetch of their report");
  }
  return out;
}

}  // namespace honeyvt::report
