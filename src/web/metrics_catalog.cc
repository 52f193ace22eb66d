#include "web/metrics_catalog.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "domain/job.h"
#include "store/state_db.h"
#include "web/queue_view.h"

namespace honeyvt::web {
namespace {

const std::vector<std::string> kSources = {"logsql", "dir", "backlog", "dionaea_cache",
                                           "cli",    "web", "other"};
const std::vector<std::string> kOutcomes = {"verdict",  "refreshed", "missing_file", "too_large",
                                            "rejected", "gave_up",   "skipped",      "failed"};
const std::vector<std::string> kRetryReasons = {"transient", "busy", "io", "other"};
const std::vector<std::string> kCodes = {"200", "204", "400", "401", "403",   "404",
                                         "409", "413", "429", "5xx", "other", "network"};
const std::vector<std::string> kV3Endpoints = {"file_report", "upload",  "upload_url",
                                               "analysis",    "comment", "rescan"};
const std::vector<std::string> kV2Endpoints = {"file_report", "batch_report", "upload", "comment",
                                               "rescan"};

std::string CodeLabel(std::string_view code) {
  for (const auto& c : kCodes) {
    if (c == code) return c;
  }
  if (code.size() == 3 && code[0] == '5') return "5xx";
  return "other";
}

std::string RetryReason(std::string_view detail) {
  if (detail.rfind("transient", 0) == 0) return "transient";
  if (detail.rfind("busy", 0) == 0) return "busy";
  if (detail.rfind("i/o error", 0) == 0) return "io";
  return "other";
}

// Cursor state of the collectors; Render() runs collectors one at a time.
struct Cursors {
  std::int64_t job = 0, event = 0, request = 0;
};

}  // namespace

std::string SourceLabel(std::string_view s) {
  if (s.rfind("logsql", 0) == 0) return "logsql";
  if (s.rfind("watch", 0) == 0 || s.rfind("dir", 0) == 0) return "dir";
  if (s == "backlog") return "backlog";
  if (s.rfind("dionaea-vtcache", 0) == 0) return "dionaea_cache";
  if (s == "enqueue" || s == "cli") return "cli";
  if (s == "web") return "web";
  return "other";
}

Catalog RegisterCatalog(MetricsRegistry& r, Context& ctx) {
  Catalog c;
  auto& items = r.AddGauge("honeyvt_queue_items", "Samples in each state of the queue.", {"state"});
  auto& oldest =
      r.AddGauge("honeyvt_queue_oldest_item_timestamp_seconds",
                 "When the least recently changed sample of each state last changed (0: none); "
                 "alert on time() - this.",
                 {"state"});
  auto& enqueued = r.AddCounter("honeyvt_queue_enqueued_total",
                                "Samples queued, by who queued them.", {"source"});
  auto& completed = r.AddCounter(
      "honeyvt_queue_completed_total",
      "Samples that left the active states: with a verdict, refreshed, or failed (by reason).",
      {"outcome"});
  auto& retries =
      r.AddCounter("honeyvt_queue_retries_total",
                   "Steps retried after a transient failure, by error kind.", {"reason"});
  auto& verdict = r.AddHistogram(
      "honeyvt_sample_verdict_duration_seconds",
      "From enqueue to the stored verdict (queue wait plus VirusTotal's analysis).", {},
      {60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400, 7 * 86400});
  auto& requests = r.AddCounter("honeyvt_vt_requests_total",
                                "VirusTotal API requests by API, endpoint and HTTP status.",
                                {"api", "endpoint", "code"});
  auto& latency = r.AddHistogram("honeyvt_vt_request_duration_seconds",
                                 "VirusTotal request latency by endpoint.", {"endpoint"},
                                 {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300});
  auto& upload_bytes =
      r.AddCounter("honeyvt_vt_upload_bytes_total", "Bytes of sample files uploaded.");
  auto& quota_limit = r.AddGauge("honeyvt_vt_quota_limit_requests",
                                 "Requests allowed per quota window (as configured, or lowered "
                                 "after an unexpected quota reply).",
                                 {"window"});
  auto& quota_used = r.AddGauge("honeyvt_vt_quota_used_requests",
                                "Requests counted in each quota window.", {"window"});
  auto& quota_reset = r.AddGauge(
      "honeyvt_vt_quota_reset_timestamp_seconds",
      "When each window frees up (calendar: next reset; sliding: when its oldest request leaves).",
      {"window"});
  auto& quota_wait = r.AddCounter(
      "honeyvt_vt_quota_wait_seconds_total",
      "Time work was due but waited for the quota to reopen (the daemon's own counter).");
  auto& polls = r.AddHistogram("honeyvt_vt_analysis_polls",
                               "Polls per uploaded sample until its analysis completed.", {},
                               {1, 2, 3, 5, 10});
  c.detection_ratio = &r.AddHistogram("honeyvt_detection_ratio",
                                      "Detecting engines / judging engines of each stored report.",
                                      {}, {0, 0.05, 0.1, 0.25, 0.5, 0.75, 1});
  c.ingest_rows =
      &r.AddCounter("honeyvt_ingest_rows_total",
                    "Rows of dionaea's logsql read by the dashboard's rollups.", {"table"});
  c.ingest_last_event = &r.AddGauge(
      "honeyvt_ingest_last_event_timestamp_seconds",
      "Time of the newest event seen: the newest logsql connection, the newest queued sample.",
      {"source"});
  auto& write = r.AddHistogram(
      "honeyvt_logsql_write_duration_seconds",
      "Time to store one report in logsql, lock waits behind dionaea included (daemon).", {},
      {0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120});

  // Every known label set at zero.
  for (const auto& s : kSources) enqueued.With({s});
  for (const auto& o : kOutcomes) completed.With({o});
  for (const auto& x : kRetryReasons) retries.With({x});
  verdict.With({});
  polls.With({});
  c.detection_ratio->With({});
  upload_bytes.With({});
  quota_wait.With({});
  write.With({});
  for (const char* t : {"connections", "downloads", "virustotals"}) c.ingest_rows->With({t});
  for (const char* s : {"logsql", "queue"}) c.ingest_last_event->With({s});
  const int api = ctx.options.api_version;
  const auto& endpoints = api == 2 ? kV2Endpoints : kV3Endpoints;
  // fmt, not "v" + std::string, which trips GCC 12's -Wrestrict at -O3.
  const std::string api_label = fmt::format("v{}", api);
  for (const auto& e : endpoints) {
    latency.With({e});
    for (const auto& code : kCodes) requests.With({api_label, e, code});
  }
  for (int i = 0; i < domain::kJobStateCount; ++i) {
    const std::string s(domain::JobStateName(static_cast<domain::JobState>(i)));
    items.With({s});
    oldest.With({s});
  }
  auto windows = pipeline::ParseQuotaWindows(ctx.options.quota);
  if (windows) {
    for (const auto& w : *windows) {
      quota_limit.With({w.spec}).Set(static_cast<double>(w.limit));
      quota_used.With({w.spec});
      quota_reset.With({w.spec});
    }
  }
  c.daemon.quota_wait_seconds = &quota_wait.With({});
  c.daemon.logsql_write = &write.With({});
  c.daemon.logsql_busy = &ctx.reads.busy->With({});

  auto cursors = std::make_shared<Cursors>();
  r.AddCollector([cursors, ctx = &ctx, items = &items, oldest = &oldest, enqueued = &enqueued,
                  completed = &completed, retries = &retries, verdict = &verdict,
                  requests = &requests, latency = &latency, upload_bytes = &upload_bytes,
                  quota_limit = &quota_limit, quota_used = &quota_used, quota_reset = &quota_reset,
                  polls = &polls, last_event = c.ingest_last_event] {
    auto lease = ctx->state->Acquire();
    if (!lease) return;
    store::Database& db = lease->db();
    const TimePoint now = ctx->clock->Now();
    auto queue = ReadQueue(db, now);
    if (queue) {
      for (const StateRow& row : *queue) {
        items->With({row.state}).Set(static_cast<double>(row.count));
        oldest->With({row.state}).Set(static_cast<double>(row.oldest_update_ms) / 1000.0);
      }
      if (auto q = ReadQuota(db, ctx->options, *queue, now)) {
        for (const auto& w : q->windows) {
          quota_limit->With({w.spec}).Set(static_cast<double>(w.limit));
          quota_used->With({w.spec}).Set(static_cast<double>(w.used));
          quota_reset->With({w.spec}).Set(static_cast<double>(ToUnixSecondsInt(w.resets_at)));
        }
      }
    }
    auto run = [&](const char* sql, std::int64_t& cursor, auto&& each) {
      for (int page = 0; page < 100; ++page) {
        auto stmt = db.Prepare(sql);
        if (!stmt) return;
        stmt->Bind(1, cursor);
        int n = 0;
        while (true) {
          auto row = stmt->Step();
          if (!row || !*row) break;
          cursor = std::max(cursor, stmt->Int64(0));
          each(*stmt);
          ++n;
        }
        if (n < 5000) return;
      }
    };
    run("SELECT id, source, created_at FROM jobs WHERE id > ? ORDER BY id LIMIT 5000", cursors->job,
        [&](store::Statement& s) {
          enqueued->With({SourceLabel(s.TextView(1))}).Inc();
          last_event->With({"queue"}).Set(std::max(last_event->With({"queue"}).Value(),
                                                   static_cast<double>(s.Int64(2)) / 1000.0));
        });
    run("SELECT id, step, outcome, polls, age_ms, detail FROM job_events WHERE id > ? "
        "ORDER BY id LIMIT 5000",
        cursors->event, [&](store::Statement& s) {
          const std::string outcome = s.Text(2);
          if (outcome == "retry") {
            retries->With({RetryReason(s.TextView(5))}).Inc();
          } else if (!s.IsNull(4)) {  // a verdict stored: the job reached done
            completed->With({"verdict"}).Inc();
            verdict->With({}).Observe(static_cast<double>(s.Int64(4)) / 1000.0);
            if (s.TextView(1) == "poll") polls->With({}).Observe(static_cast<double>(s.Int64(3)));
          } else if (outcome == "report" && s.TextView(1) == "poll") {
            polls->With({}).Observe(static_cast<double>(s.Int64(3)));  // comment follows
          } else if (outcome == "refreshed") {
            completed->With({"refreshed"}).Inc();
          } else {
            for (const auto& o : kOutcomes) {
              if (o == outcome) completed->With({o}).Inc();
            }
          }
        });
    run("SELECT id, api, endpoint, code, ms, bytes FROM vt_requests WHERE id > ? "
        "ORDER BY id LIMIT 5000",
        cursors->request, [&](store::Statement& s) {
          const std::string endpoint = s.Text(2);
          requests->With({fmt::format("v{}", s.Int64(1)), endpoint, CodeLabel(s.TextView(3))})
              .Inc();
          latency->With({endpoint}).Observe(static_cast<double>(s.Int64(4)) / 1000.0);
          upload_bytes->With({}).Inc(static_cast<double>(s.Int64(5)));
        });
  });
  return c;
}

}  // namespace honeyvt::web
