#include <algorithm>
#include <iomanip>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/global_options.h"

#ifndef HONEYVT_VERSION
#define HONEYVT_VERSION "unknown"
#endif

namespace honeyvt::cli {
namespace {

void PrintUsage(std::ostream& out) {
  out << "honeyvt " HONEYVT_VERSION
         " - check honeypot samples with VirusTotal and store the verdicts in dionaea's logsql\n\n"
         "usage: honeyvt [GLOBAL OPTIONS] COMMAND [options]\n"
         "       honeyvt help COMMAND     show a command's options\n"
         "       honeyvt --version\n\n"
         "commands:\n";
  std::size_t width = 0;
  for (const Command& c : Commands()) width = std::max(width, c.name.size());
  for (const Command& c : Commands()) {
    out << "  " << std::left << std::setw(static_cast<int>(width + 2)) << c.name << c.summary
        << "\n";
  }
  out << "\nglobal options (before or after the command, the same meaning; for every command\n"
         "but init-db, db-info and tree):\n";
  std::vector<std::string> forms;
  for (const GlobalOption& o : GlobalOptions()) {
    forms.push_back(std::string(o.name) + " " + std::string(o.value));
  }
  width = 0;
  for (const std::string& f : forms) width = std::max(width, f.size());
  for (std::size_t i = 0; i < forms.size(); ++i) {
    out << "  " << std::left << std::setw(static_cast<int>(width + 2)) << forms[i]
        << GlobalOptions()[i].help << "\n";
  }
  out << "\nConfiguration: defaults < --config FILE (or $HONEYVT_CONFIG) < HONEYVT_* environment\n"
         "< flags. The VirusTotal API key comes only from $HONEYVT_API_KEY or api_key_file.\n"
         "See man honeyvt, README.md and docs/ for details.\n";
}

int DispatchCommand(const Command& cmd, const std::string& program, std::vector<std::string> args) {
  return cmd.handler(Invocation{program, std::move(args)});
}

}  // namespace

void PrintError(std::string_view message) { std::cerr << "honeyvt: error: " << message << "\n"; }

const Command* FindCommand(std::string_view name) {
  for (const Command& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int Run(int argc, char** argv) {
  std::vector<std::string> argv_rest(argv + (argc > 0 ? 1 : 0), argv + argc);
  std::string argv0 = argc > 0 ? argv[0] : "honeyvt";
  std::string base = argv0.substr(argv0.find_last_of('/') + 1);
  if (base == "readlogsqltree" || base == "readlogsqltree.py") {
    if (const Command* tree = FindCommand("tree")) return DispatchCommand(*tree, base, argv_rest);
  }
  auto split = SplitGlobalOptions(argv_rest);
  if (!split) {
    PrintError(split.error().message);
    return kExitUsage;
  }
  std::vector<std::string>& args = split->rest;
  if (args.empty() && !split->global.empty()) {
    PrintError("a command must follow the global options (see honeyvt --help)");
    return kExitUsage;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    PrintUsage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::cout << "honeyvt " HONEYVT_VERSION "\n";
    return kExitOk;
  }
  if (args[0] == "help") {
    if (args.size() < 2) {
      PrintUsage(std::cout);
      return kExitOk;
    }
    const Command* cmd = FindCommand(args[1]);
    if (cmd == nullptr) {
      PrintError("unknown command '" + args[1] + "' (see honeyvt --help)");
      return kExitUsage;
    }
    return DispatchCommand(*cmd, "honeyvt " + args[1], {"--help"});
  }
  const Command* cmd = FindCommand(args[0]);
  if (cmd == nullptr) {
    PrintError("unknown command '" + args[0] + "' (see honeyvt --help)");
    return kExitUsage;
  }
  std::string program = "honeyvt " + args[0];
  args.erase(args.begin());
  if (!split->global.empty()) {
    if (!TakesGlobalOptions(cmd->name)) {
      PrintError(
          fmt::format("'{}' reads no configuration, so {} does not apply to it (see "
                      "honeyvt help {})",
                      cmd->name, split->global.front(), cmd->name));
      return kExitUsage;
    }
    auto merged = WithGlobalOptions(std::move(args), split->global);
    if (!merged) {
      PrintError(merged.error().message);
      return kExitUsage;
    }
    args = std::move(*merged);
  }
  return DispatchCommand(*cmd, program, std::move(args));
}

}  // namespace honeyvt::cli
