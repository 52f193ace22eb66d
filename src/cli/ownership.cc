#include "cli/ownership.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace honeyvt::cli {
namespace fs = std::filesystem;

namespace {

std::string UserName(uid_t uid) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return {};
}

}  // namespace

std::string ShellQuote(std::string_view text) {
  const bool plain = !text.empty() && text.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789@%+=:,./_-") == std::string_view::npos;
  if (plain) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Status CheckStateOwner(const fs::path& state, uid_t euid, std::string_view program,
                       const std::vector<std::string>& args) {
  if (euid != 0) return OkStatus();
  struct stat st {};
  bool exists = ::stat(state.c_str(), &st) == 0;
  fs::path looked_at = state;
  if (!exists) {
    looked_at = state.parent_path().empty() ? fs::path(".") : state.parent_path();
    if (::stat(looked_at.c_str(), &st) != 0) return OkStatus();  // the open will say why
  }
  if (st.st_uid == 0) return OkStatus();
  const std::string name = UserName(st.st_uid);
  const std::string who = name.empty()
                              ? "uid " + std::to_string(st.st_uid)
                              : "user '" + name + "' (uid " + std::to_string(st.st_uid) + ")";
  std::string command = "sudo -u " + (name.empty() ? "'#" + std::to_string(st.st_uid) + "'" : name);
  command += " " + std::string(program);
  for (const std::string& a : args) command += " " + ShellQuote(a);
  std::string message =
      exists ? "honeyvt's state database " + state.string() + " belongs to " + who +
                   ", but this command runs as root: the files SQLite creates beside it "
                   "(-wal, -shm, .lock) would belong to root and the service could no longer "
                   "open its queue."
             : "the folder " + looked_at.string() + " that would hold honeyvt's state database " +
                   state.filename().string() + " belongs to " + who +
                   ", but this command runs as root: the database would belong to root and the "
                   "service could not write it.";
  message += " Run it as the owner instead:\n  " + command;
  return MakeError(ErrorCode::kForbidden, message);
}

Status CheckStateOwner(const fs::path& state, std::string_view program,
                       const std::vector<std::string>& args) {
  return CheckStateOwner(state, ::geteuid(), program, args);
}

}  // namespace honeyvt::cli
