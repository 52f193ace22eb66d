#include "ingest/sample_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/digest.h"
#include "core/unique_fd.h"

namespace honeyvt::ingest {
namespace fs = std::filesystem;

Result<fs::path> CanonicalRoot(const fs::path& dir) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec) return MakeError(ErrorCode::kNotFound, Printable(dir.string()) + ": " + ec.message());
  return root;
}

std::filesystem::path SamplePath(const fs::path& dir, const domain::Hash& md5) {
  return dir / md5.hex();
}

namespace {

bool IsInside(const fs::path& root, const fs::path& candidate) {
  auto r = root.begin();
  auto c = candidate.begin();
  for (; r != root.end(); ++r, ++c) {
    if (r->empty() && std::next(r) == root.end()) break;  // trailing separator
    if (c == candidate.end() || *r != *c) return false;
  }
  return c != candidate.end();  // strictly below the root
}

}  // namespace

Result<fs::path> ResolveInside(const fs::path& dir, const fs::path& path) {
  const std::string shown = Printable(path.string());
  std::error_code ec;
  const fs::path root = fs::canonical(dir, ec);
  if (ec) return MakeError(ErrorCode::kNotFound, Printable(dir.string()) + ": " + ec.message());
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    const int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     shown + ": " + std::strerror(err));
  }
  const fs::path real = fs::canonical(path, ec);
  if (ec) {
    // A dangling symlink: the target does not exist (yet).
    return MakeError(ErrorCode::kNotFound, shown + ": " + ec.message());
  }
  if (!IsInside(root, real)) {
    return MakeError(ErrorCode::kForbidden,
                     shown + ": resolves outside " + Printable(root.string()) + ", refused");
  }
  if (!fs::is_regular_file(real, ec)) {
    return MakeError(ErrorCode::kForbidden, shown + ": not a regular file, ignored");
  }
  return real;
}

Result<HashedSample> HashSample(const fs::path& dir, const fs::path& path) {
  ASSIGN_OR_RETURN(fs::path real, ResolveInside(dir, path));
  const std::string shown = Printable(real.string());
  // O_NONBLOCK: a FIFO swapped in after the check must not block us; fstat refuses it.
  UniqueFd fd(::open(real.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    const int err = errno;
    if (err == ELOOP) {
      return MakeError(ErrorCode::kForbidden, shown + ": became a symlink, refused");
    }
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     shown + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::kForbidden, shown + ": not a regular file, ignored");
  }
  // Hash through the descriptor we checked, not through the name.
  auto digests = DigestFd(fd.get());
  if (!digests) {
    return MakeError(digests.error().code, shown + ": " + digests.error().message);
  }
  ASSIGN_OR_RETURN(domain::Hash md5, domain::Hash::Parse(digests->md5, domain::HashKind::kMd5));
  ASSIGN_OR_RETURN(domain::Hash sha1, domain::Hash::Parse(digests->sha1, domain::HashKind::kSha1));
  ASSIGN_OR_RETURN(domain::Hash sha256,
                   domain::Hash::Parse(digests->sha256, domain::HashKind::kSha256));
  ASSIGN_OR_RETURN(fs::path root, CanonicalRoot(dir));
  return HashedSample{real, std::move(root), md5, sha1, sha256, digests->size, StampOf(st)};
}

FileStamp StampOf(const struct stat& st) {
  auto ns = [](const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  return FileStamp{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                   static_cast<std::int64_t>(st.st_size), ns(st.st_mtim), ns(st.st_ctim)};
}

std::string Printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : text) {
    if (out.size() >= 200) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace honeyvt::ingest
