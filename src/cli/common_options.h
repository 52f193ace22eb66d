#pragma once
// Flags every command that reads configuration shares, and the one function that turns
// defaults + config file + HONEYVT_* environment + flags into Options (in that order).

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/options.h"
#include "core/result.h"

namespace honeyvt::cli {

struct CommonFlags {
  std::string config;             // --config FILE (or HONEYVT_CONFIG)
  std::vector<std::string> sets;  // --set KEY=VALUE, repeatable
  std::string logsql;             // --logsql PATH
  std::string state;              // --state PATH
};

void AddCommonFlags(CLI::App& app, CommonFlags& flags);
Result<Options> ResolveOptions(const CommonFlags& flags);
// The same without touching the logger (a reload validates before it applies).
Result<Options> LoadOptions(const CommonFlags& flags);

// Parses `inv.args` with `app`. Returns -1 to continue, or an exit status (help printed,
// or a usage error reported) to return immediately.
int ParseArgs(CLI::App& app, const struct Invocation& inv);

}  // namespace honeyvt::cli
