#include "cli/common_options.h"

#include <cstdlib>
#include <iostream>

#include "cli/command.h"
#include "core/logging.h"

namespace honeyvt::cli {

void AddCommonFlags(CLI::App& app, CommonFlags& flags) {
  app.add_option("--config", flags.config,
                 "TOML configuration file (default: $HONEYVT_CONFIG if set)");
  app.add_option(
      "--set", flags.sets,
      "Override one configuration key, KEY=VALUE (repeatable; see docs/configuration.md)");
  app.add_option("--logsql", flags.logsql, "dionaea's logsql database (config key 'logsql')");
  app.add_option("--state", flags.state, "honeyvt's state database (config key 'state')");
}

Result<Options> ResolveOptions(const CommonFlags& flags) {
  ASSIGN_OR_RETURN(Options options, LoadOptions(flags));
  RETURN_IF_ERROR(ConfigureLogging(options.log_level));
  return options;
}

Result<Options> LoadOptions(const CommonFlags& flags) {
  Options options;
  std::string config = flags.config;
  const auto env = ProcessEnvironment();
  if (config.empty()) {
    if (auto it = env.find("HONEYVT_CONFIG"); it != env.end()) config = it->second;
  }
  if (!config.empty()) RETURN_IF_ERROR(LoadConfigFile(options, config));
  RETURN_IF_ERROR(ApplyEnvironment(options, env));
  ForgetApiKeyEnvironment();  // read once; not left in /proc/PID/environ or for children
  for (const auto& kv : flags.sets) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "--set wants KEY=VALUE, got '" + kv + "'");
    }
    if (kv.substr(0, eq) == "api_key") {
      return MakeError(ErrorCode::kInvalidArgument,
                       "the API key is never accepted on the command line (it would show in "
                       "ps); use HONEYVT_API_KEY or api_key_file");
    }
    RETURN_IF_ERROR(
        ApplySetting(options, kv.substr(0, eq), kv.substr(eq + 1), SettingSource{"--set"}));
  }
  if (!flags.logsql.empty()) options.logsql = flags.logsql;
  if (!flags.state.empty()) options.state = flags.state;
  RETURN_IF_ERROR(ResolveApiKey(options));
  return options;
}

int ParseArgs(CLI::App& app, const Invocation& inv) {
  std::vector<std::string> storage;
  storage.push_back(inv.program);
  storage.insert(storage.end(), inv.args.begin(), inv.args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    PrintError(std::string(e.what()) + " (see --help)");
    return kExitUsage;
  }
  return -1;
}

}  // namespace honeyvt::cli
