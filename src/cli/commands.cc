// The one table of subcommands. Add a command: write cmd_<name>.cc with its handler,
// declare it in handlers.h, and add a row here.
#include <array>

#include "cli/command.h"
#include "cli/handlers.h"

namespace honeyvt::cli {

std::span<const Command> Commands() {
  static constexpr std::array kCommands = {
      Command{"init-db", "create a new, empty dionaea logsql database", &InitDbMain},
      Command{"db-info", "show which dionaea era a logsql database is and what it holds",
              &DbInfoMain},
      Command{"tree",
              "print attacks as trees, like dionaea's readlogsqltree (also run as readlogsqltree)",
              &TreeMain},
      Command{"report",
              "reports over stored verdicts: aliases, signatures, undetected, summary, "
              "families, history",
              &ReportMain},
      Command{"run", "the daemon: check queued samples with VirusTotal within the quota", &RunMain},
      Command{"enqueue", "queue sample files, directories or hashes for VirusTotal", &EnqueueMain},
      Command{"status", "show the queue, quota use, next action, ETA and failed samples",
              &StatusMain},
      Command{"retry", "look failed (or chosen) samples up again", &RetryMain},
      Command{"backlog", "queue every captured sample without a report, most downloaded first",
              &BacklogMain},
      Command{"import-dionaea-cache",
              "take over dionaea's stuck VirusTotal queue (vtcache.sqlite), read-only",
              &ImportDionaeaCacheMain},
      Command{"web", "serve the dashboard and Prometheus /metrics from the databases", &WebMain},
      Command{"fleet",
              "many sensors, one PostgreSQL, one key: create the fleet schema, move a "
              "single-host state into it",
              &FleetMain},
  };
  return kCommands;
}

}  // namespace honeyvt::cli
