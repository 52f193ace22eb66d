#pragma once
// The root trap. The daemon runs as a service user (honeyvt); an operator often types
// `sudo honeyvt enqueue ...` or `honeyvt backlog` as root. SQLite then creates the files
// beside the state database (-wal, -shm, the daemon's .lock, or the database itself) as
// root, and the service can no longer open its own queue. Commands that open the state
// database therefore refuse to run as root when the database, or the folder it would be
// created in, belongs to another user, and say what to run instead
// (`sudo -u honeyvt honeyvt enqueue ...`). Nothing is created or changed before the check.

#include <sys/types.h>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace honeyvt::cli {

// kForbidden with the explanation when `euid` is 0 and the owner of `state` (or, if it does
// not exist, of its folder) is another user. `program` and `args` are the command as typed
// (for the suggested command line).
Status CheckStateOwner(const std::filesystem::path& state, uid_t euid, std::string_view program,
                       const std::vector<std::string>& args);

// The same for the current process (geteuid()).
Status CheckStateOwner(const std::filesystem::path& state, std::string_view program,
                       const std::vector<std::string>& args);

// `text` quoted for a POSIX shell when it needs it ('it'\''s').
std::string ShellQuote(std::string_view text);

}  // namespace honeyvt::cli
