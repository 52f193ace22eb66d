#include "pipeline/sample_upload.h"

#include <sys/stat.h>

#include <memory>
#include <string>

#include "core/digest.h"
#include "core/open_beneath.h"
#include "vt/file_body.h"

namespace honeyvt::pipeline {

namespace {

Error NotTheSample(const std::string& path, const std::string& why) {
  return MakeError(ErrorCode::kForbidden, std::string(domain::kNotTheSampleReason) + ": " + path +
                                              " " + why + "; not uploaded");
}

}  // namespace

Result<vt::Upload> PrepareUpload(const domain::Job& job, const std::filesystem::path& root,
                                 std::int64_t limit) {
  const std::string& path = job.path;
  auto opened = OpenBeneath(root, path);
  if (!opened) {
    const Error& e = opened.error();
    if (e.code == ErrorCode::kNotFound) {
      return MakeError(ErrorCode::kNotFound, std::string(domain::kMissingFileReason) + ": " + path);
    }
    if (e.code == ErrorCode::kForbidden) return NotTheSample(path, "refused: " + e.message);
    return MakeError(ErrorCode::kIo, "cannot open " + path + ": " + e.message);
  }
  UniqueFd fd = std::move(opened).value();
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return MakeError(ErrorCode::kIo, "cannot stat " + path);
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "a device or special file";
    return NotTheSample(path, std::string("is ") + kind + ", not a regular file");
  }
  const std::int64_t size = st.st_size;
  if (job.size && *job.size != size) {
    return NotTheSample(path, "has " + std::to_string(size) + " bytes, the queued sample " +
                                  std::to_string(*job.size));
  }
  // Before any hashing or quota: an oversized file costs nothing.
  if (size > limit) {
    return MakeError(ErrorCode::kTooLarge, "too large: " + std::to_string(size) +
                                               " bytes > max_upload_size " + std::to_string(limit));
  }
  auto digests = DigestFd(fd.get());
  if (!digests) return MakeError(ErrorCode::kIo, path + ": " + digests.error().message);
  const std::pair<const std::string*, const std::string*> checks[] = {
      {&job.md5, &digests->md5}, {&job.sha1, &digests->sha1}, {&job.sha256, &digests->sha256}};
  for (const auto& [queued, actual] : checks) {
    if (!queued->empty() && *queued != *actual) {
      return NotTheSample(path, "has other content (md5 " + digests->md5 + ", sha256 " +
                                    digests->sha256 + ") than the queued sample " +
                                    job.LookupHash());
    }
  }
  if (digests->size != size) return NotTheSample(path, "changed while it was hashed");
  auto body = std::make_shared<vt::FileBody>(std::move(fd), size, digests->sha256, path);
  return vt::Upload{std::move(body), std::filesystem::path(path).filename().string()};
}

}  // namespace honeyvt::pipeline
