#pragma once
// Every honeyvt_* metric family (docs/web.md lists them with example alerts), registered
// with all of their known label sets at zero, and the collectors that refresh them at
// each scrape from the state database:
//  - queue depth / oldest item per state (jobs),
//  - enqueued by source (jobs, by id cursor), completed by outcome, retries by reason,
//    verdict latency and polls per upload (job_events, by id cursor),
//  - VirusTotal requests by api/endpoint/code, their latency and upload bytes
//    (vt_requests, by id cursor),
//  - quota limit/used/reset per configured window (quota_requests).
// Because they are read from the database, `honeyvt web` on its own shows the daemon's
// counters too. Counters start at the total the tables hold when the process starts.
// The in-process ones (quota wait, logsql write latency) are recorded by the daemon
// through pipeline::Instruments; the rollup updater records ingest progress and the
// detection-ratio histogram.

#include "core/metrics.h"
#include "pipeline/journal.h"
#include "web/context.h"

namespace honeyvt::web {

struct Catalog {
  pipeline::Instruments daemon;              // for `honeyvt run`
  CounterFamily* ingest_rows = nullptr;      // {table}
  GaugeFamily* ingest_last_event = nullptr;  // {source}
  HistogramFamily* detection_ratio = nullptr;
};

// Registers the families in `registry` and the collectors reading `ctx.state`.
Catalog RegisterCatalog(MetricsRegistry& registry, Context& ctx);

// Bounded label of a job's `source` column: logsql, dir, backlog, dionaea_cache, cli, web,
// other.
std::string SourceLabel(std::string_view source);

}  // namespace honeyvt::web
