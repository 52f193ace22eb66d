#include "cli/global_options.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace honeyvt::cli {
namespace {

const GlobalOption* Find(std::string_view name) {
  for (const GlobalOption& o : GlobalOptions()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

// "--config=FILE" -> ("--config", "FILE"); "--config" -> ("--config", no value).
std::pair<std::string_view, std::optional<std::string_view>> NameAndValue(std::string_view arg) {
  auto eq = arg.find('=');
  if (eq == std::string_view::npos) return {arg, std::nullopt};
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

}  // namespace

std::span<const GlobalOption> GlobalOptions() {
  static constexpr std::array kOptions = {
      GlobalOption{"--config", "FILE", "TOML configuration file (default: $HONEYVT_CONFIG)", false},
      GlobalOption{"--set", "KEY=VALUE", "override one configuration key (repeatable)", true},
      GlobalOption{"--logsql", "PATH", "dionaea's logsql database (key 'logsql')", false},
      GlobalOption{"--state", "PATH", "honeyvt's state database (key 'state')", false},
  };
  return kOptions;
}

Result<SplitArgs> SplitGlobalOptions(const std::vector<std::string>& args) {
  SplitArgs split;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-' || arg == "--help" || arg == "-h" || arg == "--version") {
      break;  // the command, or a request for help or the version
    }
    auto [name, value] = NameAndValue(arg);
    const GlobalOption* option = Find(name);
    if (option == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unknown option '" + std::string(name) +
                           "' before the command (a command's own options go after its name; "
                           "see honeyvt --help)");
    }
    if (!value) {
      if (i + 1 == args.size()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         std::string(name) + " needs a value (" + std::string(option->value) + ")");
      }
      value = args[++i];
    }
    split.global.emplace_back(name);
    split.global.emplace_back(*value);
  }
  split.rest.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return split;
}

Result<std::vector<std::string>> WithGlobalOptions(std::vector<std::string> command_args,
                                                   const std::vector<std::string>& global) {
  for (std::size_t g = 0; g + 1 < global.size(); g += 2) {
    const GlobalOption* option = Find(global[g]);
    if (option == nullptr || option->repeatable) continue;
    for (const std::string& arg : command_args) {
      if (arg == "--") break;
      if (NameAndValue(arg).first == option->name) {
        return MakeError(ErrorCode::kInvalidArgument,
                         std::string(option->name) +
                             " is given both before and after the command; give it once");
      }
    }
  }
  auto at = std::find_if(command_args.begin(), command_args.end(),
                         [](const std::string& a) { return !a.empty() && a[0] == '-'; });
  command_args.insert(at, global.begin(), global.end());
  return command_args;
}

bool TakesGlobalOptions(std::string_view command) {
  static constexpr std::array<std::string_view, 3> kWithoutConfig = {"init-db", "db-info", "tree"};
  return std::find(kWithoutConfig.begin(), kWithoutConfig.end(), command) == kWithoutConfig.end();
}

}  // namespace honeyvt::cli
