// honeyvt retry [--failed | --all | HASH...]
#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/ownership.h"
#include "core/clock.h"
#include "domain/hash.h"
#include "store/state_db.h"

namespace honeyvt::cli {

int RetryMain(const Invocation& inv) {
  CLI::App app(
      "Put jobs back at the start (a new lookup, due now): --failed takes every failed job "
      "(missing file, too large, rejected, gave up), --all also every parked job waiting "
      "for a later re-lookup, and HASH one sample whatever its state (a done sample is "
      "looked up again, which refreshes its report). `honeyvt run` does the work.",
      inv.program);
  CommonFlags common;
  AddCommonFlags(app, common);
  bool failed = false;
  bool all = false;
  std::vector<std::string> hashes;
  app.add_flag("--failed", failed, "retry every failed job");
  app.add_flag("--all", all, "retry every failed and parked job");
  app.add_option("HASH", hashes, "md5, sha1 or sha256 of one queued sample");
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  if (static_cast<int>(failed) + static_cast<int>(all) + (hashes.empty() ? 0 : 1) != 1) {
    PrintError("give exactly one of --failed, --all or HASH... (see --help)");
    return kExitUsage;
  }
  auto options = ResolveOptions(common);
  if (!options) {
    PrintError(options.error().message);
    return kExitUsage;
  }
  if (Status owner = CheckStateOwner(options->StatePath(), inv.program, inv.args); !owner) {
    PrintError(owner.error().message);
    return kExitUsage;
  }
  auto state = store::StateDb::OpenExisting(options->StatePath());
  if (!state) {
    PrintError(state.error().message + " (nothing queued yet?)");
    return kExitFailure;
  }
  SystemClock clock;
  std::int64_t total = 0;
  auto run = [&](domain::RetryScope scope, std::string_view hash) {
    auto n = state->Retry(scope, hash, clock.Now());
    if (!n) {
      PrintError(n.error().message);
      return false;
    }
    total += *n;
    return true;
  };
  if (failed && !run(domain::RetryScope::kFailed, "")) return kExitFailure;
  if (all && !run(domain::RetryScope::kAll, "")) return kExitFailure;
  for (const auto& text : hashes) {
    auto hash = domain::Hash::Parse(text);
    if (!hash) {
      PrintError("'" + text.substr(0, 80) + "' is not an md5, sha1 or sha256 in hex");
      return kExitUsage;
    }
    const std::int64_t before = total;
    if (!run(domain::RetryScope::kHash, hash->hex())) return kExitFailure;
    if (total == before) std::cerr << "honeyvt: " << hash->hex() << " is not queued\n";
  }
  std::cout << total << " job(s) will be looked up again\n";
  return kExitOk;
}

}  // namespace honeyvt::cli
