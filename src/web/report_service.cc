#include "web/report_service.h"

#include <spdlog/spdlog.h>

#include <sstream>

#include "core/strings.h"
#include "core/time_spec.h"
#include "report/format.h"
#include "report/reports.h"
#include "web/api_util.h"

namespace honeyvt::web {
namespace {

constexpr std::size_t kMaxKept = 64;
constexpr const char* kNames[] = {"summary", "families",   "undetected",
                                  "aliases", "signatures", "history"};

}  // namespace

std::string ReportQuery::Key() const {
  std::string key = name;
  for (const std::string* s : {&since, &until, &pattern, &vendor, &md5}) key += '\x1f' + *s;
  key += '\x1f' + std::to_string(limit);
  key += by_label ? "\x1f"
                    "f"
                  : "\x1f";
  key += vuln_only ? "v" : "-";
  key += include_absent ? "a" : "-";
  return key;
}

std::string ReportQuery::Command(const std::filesystem::path& logsql) const {
  std::string c = "honeyvt report " + name;
  if (name == "aliases" || name == "signatures") {
    c += " " + ShellQuote(pattern);
    if (by_label) c += " --family";
  } else if (name == "undetected") {
    c += " " + ShellQuote(vendor);
    if (vuln_only) c += " --vuln-only";
    if (include_absent) c += " --include-absent";
  } else if (name == "history") {
    c += " " + md5;
  }
  if (!since.empty()) c += " --since " + ShellQuote(since);
  if (!until.empty()) c += " --until " + ShellQuote(until);
  if (limit > 0) c += " --limit " + std::to_string(limit);
  return c + " --logsql " + ShellQuote(logsql.string());
}

Result<ReportQuery> ParseReportQuery(const std::string& name, const Request& req, TimePoint now) {
  if (std::find(std::begin(kNames), std::end(kNames), name) == std::end(kNames)) {
    return MakeError(ErrorCode::kNotFound, "no report named " + name);
  }
  ReportQuery q;
  q.name = name;
  q.since = req.Param("since");
  q.until = req.Param("until");
  for (const std::string* spec : {&q.since, &q.until}) {
    if (!spec->empty()) RETURN_IF_ERROR(ParseTimeSpec(*spec, now));
  }
  if (!req.Param("limit").empty()) {
    auto limit = ParseInt(req.Param("limit"));
    if (!limit || *limit < 0) {
      return MakeError(ErrorCode::kInvalidArgument, "limit must be a whole number >= 0");
    }
    q.limit = *limit;
  }
  if (name == "aliases" || name == "signatures") {
    q.pattern = req.Param("pattern");
    q.by_label = req.Param("family") == "1";
    if (q.pattern.empty()) return MakeError(ErrorCode::kInvalidArgument, "give a pattern");
  } else if (name == "undetected") {
    q.vendor = req.Param("vendor");
    q.vuln_only = req.Param("vuln_only") == "1";
    q.include_absent = req.Param("include_absent") == "1";
    if (q.vendor.empty()) return MakeError(ErrorCode::kInvalidArgument, "give a vendor");
  } else if (name == "history") {
    q.md5 = HashParam(req.Param("md5"));
    if (q.md5.size() != 32) return MakeError(ErrorCode::kInvalidArgument, "give an md5");
  }
  return q;
}

ReportService::ReportService(Config config, Clock& clock)
    : config_(std::move(config)), clock_(clock) {}

ReportService::~ReportService() = default;

Result<RenderedReport> ReportService::Compute(const ReportQuery& q,
                                              const std::filesystem::path& db) {
  const TimePoint now = clock_.Now();
  report::Filter filter;
  if (!q.since.empty()) {
    ASSIGN_OR_RETURN(filter.since, ParseTimeSpec(q.since, now));
  }
  if (!q.until.empty()) {
    ASSIGN_OR_RETURN(filter.until, ParseTimeSpec(q.until, now));
  }
  filter.limit = q.limit;
  ASSIGN_OR_RETURN(report::Source source, report::Source::Open(db, filter));
  Result<report::Document> doc = MakeError(ErrorCode::kNotFound, "no report " + q.name);
  if (q.name == "aliases" || q.name == "signatures") {
    const report::FamilyQuery fq{q.pattern, q.by_label};
    doc = q.name == "aliases" ? report::Aliases(source, fq) : report::Signatures(source, fq);
  } else if (q.name == "undetected") {
    doc = report::Undetected(source, {q.vendor, q.vuln_only, q.include_absent});
  } else if (q.name == "summary") {
    doc = report::Summary(source);
  } else if (q.name == "families") {
    doc = report::Families(source);
  } else if (q.name == "history") {
    // On logsql itself: one sample's rows through its indexes, in one read transaction.
    ASSIGN_OR_RETURN(ReadScope scope,
                     ReadScope::Begin(source.db(), config_.reads.For("report_history")));
    doc = report::History(source, q.md5);
    if (!doc) return scope.Note(doc.error());
  }
  if (!doc) return doc.error();
  RenderedReport r;
  std::ostringstream json, csv;
  report::Render(*doc, report::Format::kJson, json);
  report::Render(*doc, report::Format::kCsv, csv);
  r.json = json.str();
  r.csv = csv.str();
  r.notes = source.notes();
  r.notes.insert(r.notes.end(), doc->notes.begin(), doc->notes.end());
  r.computed_at = now;
  return r;
}

bool ReportService::NeedsRun(const Entry& e, const ReportQuery& q) const {
  const Duration age = clock_.Now() - e.at;
  if (e.error) return age >= std::chrono::seconds(10);
  if (age < config_.refresh_after) return false;
  return e.generation != generation_ || !q.since.empty() || !q.until.empty();
}

void ReportService::Enqueue(const ReportQuery& q) {
  if (!queued_.insert(q.Key()).second) return;
  queue_.push_back(q);
  wake_.request_stop();
}

ReportService::Answer ReportService::Get(const ReportQuery& q) {
  Answer answer;
  if (q.name == "history") {
    auto r = Compute(q, config_.logsql);
    if (!r) {
      answer.error = r.error();
    } else {
      answer.report = std::make_shared<const RenderedReport>(std::move(*r));
    }
    return answer;
  }
  const std::string key = q.Key();
  if (config_.inline_runs) {
    bool run = false;
    {
      std::lock_guard lock(mu_);
      auto it = kept_.find(key);
      run = it == kept_.end() || NeedsRun(it->second, q);
    }
    if (run) {
      std::lock_guard replica_lock(replica_mu_);
      for (int pass = 0; pass < 10000; ++pass) {
        if (Status st = SyncLocked(); !st) {
          answer.error = st.error();
          return answer;
        }
        std::lock_guard lock(mu_);
        if (caught_up_) break;
      }
      if (Status st = RunLocked(q); !st) {
        answer.error = st.error();
        return answer;
      }
    }
  }
  std::lock_guard lock(mu_);
  auto it = kept_.find(key);
  if (it == kept_.end()) {
    Enqueue(q);
    if (!replica_open_ || !caught_up_) {
      std::string copied;
      for (const auto& t : tables_) {
        if (t.table == "connections" || t.table == "virustotalscans") {
          copied +=
              (copied.empty() ? "" : ", ") + t.table + " up to id " + std::to_string(t.cursor);
        }
      }
      answer.progress = replica_open_
                            ? "making the first copy of logsql for the reports (" + copied + ")"
                            : "opening the report copy of logsql" +
                                  (last_error_.empty() ? "" : ": " + last_error_);
    } else {
      answer.progress = "running the report";
    }
    return answer;
  }
  if (NeedsRun(it->second, q)) Enqueue(q);
  answer.report = it->second.report;
  answer.error = it->second.error;
  answer.stale = queued_.count(key) > 0;
  return answer;
}

Status ReportService::SyncLocked() {
  if (!replica_) {
    auto opened = ReportReplica::Open(config_.replica, *config_.logsql_pool,
                                      config_.reads.For("replica"), config_.replica_options);
    if (!opened) {
      std::lock_guard lock(mu_);
      last_error_ = opened.error().ToString();
      return opened.error();
    }
    replica_ = std::move(*opened);
  }
  auto synced = replica_->Sync();
  std::lock_guard lock(mu_);
  replica_open_ = true;
  generation_ = replica_->generation();
  caught_up_ = replica_->caught_up();
  tables_ = replica_->tables();
  if (!synced) {
    last_error_ = synced.error().ToString();
    return synced.error();
  }
  last_error_.clear();
  return OkStatus();
}

Status ReportService::RunLocked(const ReportQuery& q) {
  const std::int64_t generation = replica_ ? replica_->generation() : -1;
  auto r = Compute(q, config_.replica);
  Entry e;
  e.at = clock_.Now();
  e.generation = generation;
  if (r) {
    r->generation = generation;
    e.report = std::make_shared<const RenderedReport>(std::move(*r));
  } else {
    e.error = r.error();
    spdlog::warn("web: report {}: {}", q.name, r.error().ToString());
  }
  std::lock_guard lock(mu_);
  const std::string key = q.Key();
  kept_[key] = std::move(e);
  queued_.erase(key);
  while (kept_.size() > kMaxKept) {
    auto oldest = kept_.begin();
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      if (it->second.at < oldest->second.at) oldest = it;
    }
    kept_.erase(oldest);
  }
  return OkStatus();
}

Status ReportService::Work() {
  std::lock_guard replica_lock(replica_mu_);
  RETURN_IF_ERROR(SyncLocked());
  while (true) {
    std::optional<ReportQuery> next;
    {
      std::lock_guard lock(mu_);
      if (!caught_up_ || queue_.empty()) break;
      next = queue_.front();
      queue_.pop_front();
    }
    RETURN_IF_ERROR(RunLocked(*next));
  }
  return OkStatus();
}

void ReportService::RunThread(std::stop_token stop, Duration interval) {
  std::string logged;
  while (!stop.stop_requested()) {
    Status st = Work();
    if (!st && st.error().ToString() != logged) {
      logged = st.error().ToString();
      spdlog::warn("web: report replica: {} (retrying)", logged);
    } else if (st) {
      logged.clear();
    }
    std::stop_source wake;
    bool busy = false;
    {
      std::lock_guard lock(mu_);
      wake_ = std::stop_source();
      wake = wake_;
      busy = replica_open_ && (!caught_up_ || !queue_.empty());
    }
    std::stop_callback on_stop(stop, [wake]() mutable { wake.request_stop(); });
    // While the first copy is being made, passes follow each other with a short pause.
    clock_.SleepFor(busy ? Duration(std::chrono::milliseconds(20)) : interval, wake.get_token());
  }
}

ReportService::State ReportService::state() {
  std::lock_guard lock(mu_);
  State s;
  s.replica_open = replica_open_;
  s.caught_up = caught_up_;
  s.generation = generation_;
  s.tables = tables_;
  s.last_error = last_error_;
  s.kept = kept_.size();
  s.queued = queue_.size();
  return s;
}

}  // namespace honeyvt::web
