#pragma once
// Safe access to sample files named by untrusted strings.
//
// Names and md5 strings come from dionaea's database or from a directory an attacker can
// influence (a honeypot writes what it downloads). Rules enforced here:
//  - a path is built only from a validated domain::Hash (hex of the right length), never
//    from raw text;
//  - a file is used only if it is, after resolving symlinks, a regular file inside the
//    sample directory (canonical prefix check); symlinks leading out are refused;
//  - the file is opened with O_NOFOLLOW on its resolved path and hashed through that
//    descriptor, so a swap between check and read cannot redirect us;
//  - the identity of a sample is the hash of its content, never its file name.
// Errors: kNotFound (missing), kForbidden (escapes the directory, or not a regular file),
// kIo (unreadable). None is fatal for a caller: report and go on.

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/hash.h"

namespace honeyvt::ingest {

// The canonical path of the sample directory `dir` (the root recorded with its samples).
Result<std::filesystem::path> CanonicalRoot(const std::filesystem::path& dir);

// `dir / md5.hex()`: the only way ingest builds a path from a database string.
std::filesystem::path SamplePath(const std::filesystem::path& dir, const domain::Hash& md5);

// The canonical path of `path` if it is a regular file inside `dir` (after resolving
// symlinks); errors as described above.
Result<std::filesystem::path> ResolveInside(const std::filesystem::path& dir,
                                            const std::filesystem::path& path);

// Which file a stat describes (the key and stamp of the file identity cache).
struct FileStamp {
  std::uint64_t device = 0, inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;  // last modification, nanoseconds since the epoch
  std::int64_t ctime_ns = 0;  // last status change (creation, rename into the directory)
  bool operator==(const FileStamp&) const = default;
};

struct HashedSample {
  std::filesystem::path path;  // canonical, inside the directory
  std::filesystem::path root;  // the directory, canonical
  domain::Hash md5, sha1, sha256;
  std::int64_t size = 0;
  FileStamp stamp;  // of the descriptor that was hashed, taken before reading
};

// The identity and stamp of a stat result.
FileStamp StampOf(const struct stat& st);

// Resolves `path` inside `dir`, opens it without following links and hashes its content.
Result<HashedSample> HashSample(const std::filesystem::path& dir,
                                const std::filesystem::path& path);

// `text` with control characters and non-ASCII bytes escaped (\n, \x1b), cut to 200
// characters: safe to put in a log line or a terminal.
std::string Printable(std::string_view text);

}  // namespace honeyvt::ingest
