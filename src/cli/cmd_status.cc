// honeyvt status [--json]
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/ownership.h"
#include "pipeline/status.h"
#include "report/format.h"
#include "store/state_db.h"

namespace honeyvt::cli {
namespace {

using pipeline::PipelineStatus;

std::string Utc(TimePoint t) {
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", std::chrono::floor<std::chrono::seconds>(t));
}

std::string Relative(TimePoint t, TimePoint now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(t - now).count();
  if (s <= 0) return "now";
  if (s < 120) return fmt::format("in {} s", s);
  if (s < 7200) return fmt::format("in {} min", s / 60);
  if (s < 172800) return fmt::format("in {:.1f} h", static_cast<double>(s) / 3600);
  return fmt::format("in {:.1f} days", static_cast<double>(s) / 86400);
}

void PrintText(const PipelineStatus& s, const std::string& state_path, TimePoint now) {
  std::cout << "state " << state_path << "\n";
  std::cout << "jobs:";
  for (const auto& c : s.counts) {
    std::cout << "  " << domain::JobStateName(c.state) << " " << c.count;
  }
  std::cout << "\nquota:\n";
  if (s.quota.empty()) std::cout << "  (no limits configured)\n";
  for (const auto& w : s.quota) {
    std::cout << fmt::format("  {:<10} {} of {} used; next request {}", w.spec, w.used, w.limit,
                             w.opens_at <= now ? std::string("now") : Relative(w.opens_at, now));
    if (w.used > 0) std::cout << "; frees up " << Relative(w.resets_at, now);
    std::cout << "\n";
  }
  if (s.paused_until > now) std::cout << "paused until " << Utc(s.paused_until) << "\n";
  std::cout << "next action: "
            << (s.next_action ? Utc(*s.next_action) + " (" + Relative(*s.next_action, now) + ")"
                              : std::string("none (queue empty)"))
            << "\n";
  std::cout << "backlog: about " << s.backlog_requests << " request(s); done "
            << (s.backlog_requests == 0 ? std::string("-")
                                        : Utc(s.eta) + " (" + Relative(s.eta, now) + ")")
            << " at the configured quota\n";
  if (!s.failures.empty()) {
    std::cout << "failed samples (newest first; `honeyvt retry --failed` retries them):\n";
    for (const auto& j : s.failures) {
      // File names come from sample folders (attackers): escape controls and bidi.
      std::cout << "  " << j.LookupHash() << "  "
                << (j.path.empty() ? "-" : report::TerminalSafe(j.path)) << "  "
                << report::TerminalSafe(j.last_error) << "\n";
    }
  }
}

nlohmann::json Json(const PipelineStatus& s, TimePoint now) {
  nlohmann::json j;
  j["now"] = ToUnixSecondsInt(now);
  for (const auto& c : s.counts) j["jobs"][std::string(domain::JobStateName(c.state))] = c.count;
  j["quota"] = nlohmann::json::array();
  for (const auto& w : s.quota) {
    j["quota"].push_back({{"window", w.spec},
                          {"used", w.used},
                          {"limit", w.limit},
                          {"next_request_at", ToUnixSecondsInt(std::max(w.opens_at, now))},
                          {"frees_at", ToUnixSecondsInt(w.resets_at)}});
  }
  j["next_action_at"] =
      s.next_action ? nlohmann::json(ToUnixSecondsInt(*s.next_action)) : nlohmann::json(nullptr);
  j["backlog_requests"] = s.backlog_requests;
  j["eta"] = ToUnixSecondsInt(s.eta);
  j["failures"] = nlohmann::json::array();
  for (const auto& f : s.failures) {
    j["failures"].push_back({{"md5", f.md5},
                             {"sha1", f.sha1},
                             {"sha256", f.sha256},
                             {"path", f.path},
                             {"reason", f.last_error},
                             {"updated_at", ToUnixSecondsInt(f.updated_at)}});
  }
  return j;
}

}  // namespace

int StatusMain(const Invocation& inv) {
  CLI::App app(
      "Show the queue: jobs per state, quota used per configured window, the next action, "
      "an estimate of when the backlog will be done at the configured quota, and the "
      "samples that failed (with the reason).",
      inv.program);
  CommonFlags common;
  AddCommonFlags(app, common);
  bool json = false;
  int max_failures = 20;
  app.add_flag("--json", json, "machine-readable output (times in Unix seconds)");
  app.add_option("--failures", max_failures, "how many failed samples to list (default 20)");
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
  auto windows = pipeline::ParseQuotaWindows(options->quota);
  if (!windows) {
    PrintError(windows.error().message);
    return kExitUsage;
  }
  auto state = store::StateDb::OpenExisting(options->StatePath());
  if (!state) {
    PrintError(state.error().message + " (nothing queued yet? see honeyvt enqueue)");
    return kExitFailure;
  }
  SystemClock clock;
  const TimePoint now = clock.Now();
  const auto config = pipeline::PipelineConfig::FromOptions(*options);
  const int batch = options->api_version == 2 ? config.v2_batch_size : 1;
  auto status = pipeline::ReadStatus(*state, *state, *windows, config, batch, now, max_failures);
  if (!status) {
    PrintError(status.error().message);
    return kExitFailure;
  }
  if (json) {
    std::cout << Json(*status, now).dump(2) << "\n";
  } else {
    PrintText(*status, options->StatePath().string(), now);
  }
  return kExitOk;
}

}  // namespace honeyvt::cli
