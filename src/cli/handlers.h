#pragma once
// One handler per subcommand, each defined in its own cmd_<name>.cc.

#include "cli/command.h"

namespace honeyvt::cli {

int InitDbMain(const Invocation& inv);
int DbInfoMain(const Invocation& inv);
int TreeMain(const Invocation& inv);
int ReportMain(const Invocation& inv);
int EnqueueMain(const Invocation& inv);
int StatusMain(const Invocation& inv);
int RetryMain(const Invocation& inv);
int RunMain(const Invocation& inv);
int BacklogMain(const Invocation& inv);
int ImportDionaeaCacheMain(const Invocation& inv);
int WebMain(const Invocation& inv);
int FleetMain(const Invocation& inv);

}  // namespace honeyvt::cli
