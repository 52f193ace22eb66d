// honeyvt import-dionaea-cache VTCACHE: take over dionaea's stuck VirusTotal queue.
#include <fmt/format.h>

#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/ownership.h"
#include "ingest/job_store_sink.h"
#include "ingest/vtcache_import.h"
#include "store/state_db.h"

namespace honeyvt::cli {

int ImportDionaeaCacheMain(const Invocation& inv) {
  CLI::App app(
      "Take over the queue of dionaea's own virustotal handler (vtcache.sqlite, table "
      "backlogfiles), which has been broken since dionaea 0.11.0 and leaves files stuck in "
      "'new-', 'submit-', 'comment-' and 'query-'. Every row becomes a honeyvt job that "
      "starts with a report lookup; files dionaea already uploaded are never uploaded again "
      "(comment, query and their '-' forms), a comment is never posted twice (comment- "
      "onwards), and scan ids of uploaded files are kept. Rows are merged by md5 and md5s "
      "that already have a virustotals row in logsql are skipped. VTCACHE is opened "
      "read-only and never modified. Import while dionaea is stopped or its virustotal "
      "handler is disabled (docs/dionaea.md). Idempotent.",
      inv.program);
  CommonFlags common;
  AddCommonFlags(app, common);
  std::string vtcache, binaries;
  app.add_option("VTCACHE", vtcache,
                 "dionaea's queue file, e.g. /opt/dionaea/var/lib/dionaea/vtcache.sqlite")
      ->required();
  app.add_option("--binaries", binaries,
                 "directory of samples named by md5 (config key 'binaries')");
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  auto options = ResolveOptions(common);
  if (!options) {
    PrintError(options.error().message);
    return kExitUsage;
  }
  if (Status owner = CheckStateOwner(options->StatePath(), inv.program, inv.args); !owner) {
    PrintError(owner.error().message);
    return kExitUsage;
  }
  if (!binaries.empty()) options->binaries = binaries;
  auto logsql = store::Database::Open(options->logsql, {.mode = store::OpenMode::kReadOnly});
  if (!logsql) {
    std::cerr << "honeyvt: warning: " << logsql.error().message
              << "; md5s that already have a report cannot be skipped\n";
  }
  auto state = store::StateDb::Open(options->StatePath());
  if (!state) {
    PrintError(state.error().message);
    return kExitFailure;
  }
  SystemClock clock;
  ingest::JobStoreSink sink(*state, clock, &state->db());
  auto summary =
      ingest::ImportVtcache(vtcache, logsql ? &*logsql : nullptr, options->binaries, sink);
  if (!summary) {
    PrintError(summary.error().message);
    return kExitFailure;
  }
  const auto& s = *summary;
  std::cout << fmt::format("{}: {} row(s) read (file not modified)\n", vtcache, s.rows);
  for (const auto& [status, n] : s.rows_by_status) {
    std::cout << fmt::format("  {:<10} {}\n", "'" + status + "'", n);
  }
  std::cout << fmt::format(
      "imported {} sample(s): {} added, {} updated, {} already queued; {} with a file, {} by "
      "hash only\n"
      "  {} already on VirusTotal (no upload), {} already commented or waiting for their "
      "report (no comment), {} scan id(s) kept\n"
      "skipped: {} duplicate row(s), {} already reported in logsql, {} invalid row(s) "
      "(md5 not hex or unknown status)\n",
      s.imported, s.offers.added, s.offers.updated, s.offers.known, s.with_file, s.hash_only,
      s.no_upload, s.no_comment, s.scan_ids_kept, s.duplicates, s.already_reported, s.invalid);
  return kExitOk;
}

}  // namespace honeyvt::cli
