// honeyvt backlog: queue every captured sample that has no VirusTotal report yet.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/ownership.h"
#include "ingest/backlog.h"
#include "ingest/job_store_sink.h"
#include "pipeline/status.h"
#include "store/state_db.h"

namespace honeyvt::cli {
namespace {

// "[##########..........]  12000 / 50000  24%" redrawn in place on a terminal; one plain
// line per batch otherwise (logs, cron mail).
class Progress {
 public:
  explicit Progress(bool tty) : tty_(tty) {}
  void operator()(std::int64_t done, std::int64_t total) {
    if (total == 0) return;
    const int pct = static_cast<int>(done * 100 / total);
    if (!tty_) {
      std::cout << fmt::format("backlog: {} / {} samples queued ({}%)\n", done, total, pct);
      return;
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(done * kWidth / total);
    std::cerr << fmt::format("\r[{}{}] {:>7} / {}  {:>3}%", std::string(filled, '#'),
                             std::string(kWidth - filled, '.'), done, total, pct);
    if (done == total) std::cerr << "\n";
    std::cerr.flush();
  }

 private:
  bool tty_;
};

std::string Eta(TimePoint eta, TimePoint now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(eta - now).count();
  const std::string when =
      fmt::format("{:%Y-%m-%d %H:%M} UTC", std::chrono::floor<std::chrono::seconds>(eta));
  if (s <= 0) return "now";
  if (s < 7200) return fmt::format("{} (in {} min)", when, (s + 59) / 60);
  if (s < 172800) return fmt::format("{} (in {:.1f} h)", when, static_cast<double>(s) / 3600);
  return fmt::format("{} (in {:.1f} days)", when, static_cast<double>(s) / 86400);
}

}  // namespace

int BacklogMain(const Invocation& inv) {
  CLI::App app(
      "Queue every sample dionaea captured that has no VirusTotal report in logsql (no "
      "virustotals row), most downloaded first, so the API quota goes to the samples seen "
      "most. Each sample's file is taken from the binaries directory when it is there, "
      "otherwise the sample is looked up by hash only. Idempotent: running it again adds "
      "nothing that is already queued. The logsql file is only read. Prints a progress bar "
      "on a terminal (plain lines otherwise) and, at the end, when the queue will be done "
      "at the configured quota. `honeyvt run` then works through the queue.",
      inv.program);
  CommonFlags common;
  AddCommonFlags(app, common);
  std::string binaries;
  app.add_option("--binaries", binaries,
                 "directory of samples named by md5 (config key 'binaries', default "
                 "/opt/dionaea/var/lib/dionaea/binaries)");
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
  auto windows = pipeline::ParseQuotaWindows(options->quota);
  if (!windows) {
    PrintError(windows.error().message);
    return kExitUsage;
  }
  auto logsql = store::Database::Open(options->logsql, {.mode = store::OpenMode::kReadOnly});
  if (!logsql) {
    PrintError(logsql.error().message);
    return kExitFailure;
  }
  auto state = store::StateDb::Open(options->StatePath());
  if (!state) {
    PrintError(state.error().message);
    return kExitFailure;
  }
  SystemClock clock;
  ingest::JobStoreSink sink(*state, clock);
  Progress progress(::isatty(STDERR_FILENO) == 1);
  auto summary = ingest::EnqueueBacklog(*logsql, options->binaries, sink, std::ref(progress));
  if (!summary) {
    PrintError(summary.error().message);
    return kExitFailure;
  }
  const auto& s = *summary;
  std::cout << fmt::format(
      "backlog: {} sample(s) without a report ({} downloads): {} added, {} updated, {} "
      "already queued; {} with a file, {} by hash only\n",
      s.samples, s.downloads, s.offers.added, s.offers.updated, s.offers.known, s.with_file,
      s.hash_only);
  if (s.invalid > 0) {
    std::cout << fmt::format("backlog: {} download md5 value(s) are not hex and were skipped\n",
                             s.invalid);
  }
  const TimePoint now = clock.Now();
  const auto config = pipeline::PipelineConfig::FromOptions(*options);
  const int batch = options->api_version == 2 ? config.v2_batch_size : 1;
  auto status = pipeline::ReadStatus(*state, *state, *windows, config, batch, now, 0);
  if (!status) {
    PrintError(status.error().message);
    return kExitFailure;
  }
  std::string quota;
  for (const auto& w : options->quota) quota += (quota.empty() ? "" : ", ") + w;
  std::cout << fmt::format(
      "queue: about {} request(s) to go; done {} at the configured quota ({})\n",
      status->backlog_requests, status->backlog_requests == 0 ? "-" : Eta(status->eta, now),
      quota.empty() ? "no limit" : quota);
  return kExitOk;
}

}  // namespace honeyvt::cli
