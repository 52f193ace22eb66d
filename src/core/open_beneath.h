#pragma once
// Opening a sample file without trusting anything below the folder it lives in.
//
// Sample folders are written by attackers (a honeypot stores what it downloads) and by
// any local user allowed to write there: a file queued hours ago may since have become a
// symbolic link to the file holding the API key, a FIFO, a directory, or a link in one of
// the sub-folders on the way. OpenBeneath opens `path` for reading only if it lies
// lexically below `root` and no component below `root` is a symbolic link (nor "..");
// `root` itself is opened as configured (the operator's own path may hold links). The
// kernel resolves the path relative to the opened root: openat2() with
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS where the kernel has it (Linux 5.6), otherwise
// openat() component by component with O_NOFOLLOW. The file is opened O_NONBLOCK, so a
// FIFO never blocks the caller; callers fstat the descriptor for its type and size.
//
// Errors: kForbidden (outside root, "..", a symbolic link on the way), kNotFound (a
// component does not exist), kIo (anything else); messages name the path.

#include <filesystem>

#include "core/result.h"
#include "core/unique_fd.h"

namespace honeyvt {

Result<UniqueFd> OpenBeneath(const std::filesystem::path& root, const std::filesystem::path& path);

// The fallback, exposed for tests: openat() with O_NOFOLLOW one component at a time.
Result<UniqueFd> OpenBeneathByComponents(const std::filesystem::path& root,
                                         const std::filesystem::path& path);

}  // namespace honeyvt
