#pragma once
// The subcommand table. Each command lives in its own file and registers one entry
// {name, summary, handler}; `honeyvt --help`, `honeyvt help CMD` and dispatch all come
// from the same list (commands.cc).

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace honeyvt::cli {

// Exit statuses shared by every command (README "Running as a service").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // runtime error (file, network, database)
inline constexpr int kExitUsage = 2;    // bad flags, arguments or configuration
// `run` only:
inline constexpr int kExitKeyRejected = 3;  // VirusTotal rejected the API key
inline constexpr int kExitLocked = 4;       // another honeyvt run holds the state database
inline constexpr int kExitDatabase = 5;     // a database cannot be opened or used

struct Invocation {
  std::string program;            // what to show in usage lines ("honeyvt tree")
  std::vector<std::string> args;  // arguments after the command name
};

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*handler)(const Invocation&);
};

std::span<const Command> Commands();
const Command* FindCommand(std::string_view name);

// Entry point used by main(): dispatches on argv[0] (readlogsqltree) or argv[1].
int Run(int argc, char** argv);

// Prints "honeyvt: error: <message>" to stderr.
void PrintError(std::string_view message);

}  // namespace honeyvt::cli
