#include "core/open_beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace honeyvt {
namespace fs = std::filesystem;
namespace {

constexpr int kFileFlags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;

// The components of `path` below `root`, or an error if it is not strictly below it.
Result<std::vector<std::string>> Below(const fs::path& root, const fs::path& path) {
  const std::string shown = path.string();
  if (!root.is_absolute() || !path.is_absolute()) {
    return MakeError(ErrorCode::kForbidden,
                     shown + ": not an absolute path below " + root.string());
  }
  std::vector<std::string> parts;
  for (const fs::path& part : path.lexically_relative(root)) parts.push_back(part.string());
  if (parts.empty() || parts.front() == "." || parts.front() == "..") {
    return MakeError(ErrorCode::kForbidden, shown + ": not below " + root.string() + ", refused");
  }
  for (const std::string& part : parts) {
    if (part == ".." || part == "." || part.empty()) {
      return MakeError(ErrorCode::kForbidden, shown + ": '" + part + "' in the path, refused");
    }
  }
  return parts;
}

Error OpenError(const fs::path& root, const fs::path& path, int err) {
  const std::string shown = path.string();
  switch (err) {
    case ENOENT:
      return MakeError(ErrorCode::kNotFound, shown + ": no such file");
    case ELOOP:
    case EXDEV:
    case ENOTDIR:
      return MakeError(ErrorCode::kForbidden,
                       shown + ": a symbolic link (or a non-directory) on the way below " +
                           root.string() + ", refused");
    default:
      return MakeError(ErrorCode::kIo, shown + ": " + std::strerror(err));
  }
}

Result<UniqueFd> OpenRoot(const fs::path& root) {
  UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     root.string() + ": " + std::strerror(err));
  }
  return fd;
}

}  // namespace

Result<UniqueFd> OpenBeneathByComponents(const fs::path& root, const fs::path& path) {
  ASSIGN_OR_RETURN(std::vector<std::string> parts, Below(root, path));
  ASSIGN_OR_RETURN(UniqueFd dir, OpenRoot(root));
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    // O_NOFOLLOW with O_DIRECTORY: a symbolic link fails (ENOTDIR or ELOOP).
    UniqueFd next(
        ::openat(dir.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return OpenError(root, path, errno);
    dir = std::move(next);
  }
  UniqueFd file(::openat(dir.get(), parts.back().c_str(), kFileFlags));
  if (!file.valid()) return OpenError(root, path, errno);
  return file;
}

Result<UniqueFd> OpenBeneath(const fs::path& root, const fs::path& path) {
  ASSIGN_OR_RETURN(std::vector<std::string> parts, Below(root, path));
  ASSIGN_OR_RETURN(UniqueFd dir, OpenRoot(root));
  std::string relative;
  for (const std::string& part : parts) relative += (relative.empty() ? "" : "/") + part;
  open_how how{};
  how.flags = static_cast<std::uint64_t>(kFileFlags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, dir.get(), relative.c_str(), &how, sizeof how);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  const int err = errno;
  // No openat2 (before Linux 5.6, or filtered by seccomp): the same rule by hand.
  if (err == ENOSYS || err == EPERM || err == E2BIG) return OpenBeneathByComponents(root, path);
  return OpenError(root, path, err);
}

}  // namespace honeyvt
