#pragma once
// Options that may come before the command name, as `git -c` and kubectl accept them:
// `honeyvt --config FILE run` means the same as `honeyvt run --config FILE`. They are the
// flags every configuration-reading command shares (common_options.h): --config, --set,
// --logsql and --state. Run() splits them off and hands them to the command's own parser,
// so there is one definition of what they mean.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace honeyvt::cli {

struct GlobalOption {
  std::string_view name;   // "--config"
  std::string_view value;  // "FILE", shown in --help
  std::string_view help;
  bool repeatable;  // --set may be given many times; the others once
};

std::span<const GlobalOption> GlobalOptions();

// The arguments before the command, split into the global options (each as "--name",
// "value", whatever form was typed: "--name value" or "--name=value") and the rest,
// which starts with the command name (or is empty). An unknown option or a missing value
// is kInvalidArgument naming it.
struct SplitArgs {
  std::vector<std::string> global;
  std::vector<std::string> rest;
};
Result<SplitArgs> SplitGlobalOptions(const std::vector<std::string>& args);

// Puts `global` (from SplitGlobalOptions) into a command's arguments where its parser reads
// them: after the leading words (a subcommand such as `report summary`, or positional
// arguments), so that a command's own --set comes later and wins over a global one. A
// once-only option given both before and after the command is kInvalidArgument.
Result<std::vector<std::string>> WithGlobalOptions(std::vector<std::string> command_args,
                                                   const std::vector<std::string>& global);

// Commands that read no configuration take no global option.
bool TakesGlobalOptions(std::string_view command);

}  // namespace honeyvt::cli
