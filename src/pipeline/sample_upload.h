#pragma once
// The file an upload sends is the file that was hashed: everything the upload step
// checks before it spends quota on a request.
//
// PrepareUpload opens the job's file below `root` without following a symbolic link
// anywhere below it (core/open_beneath.h; nothing outside `root` is read), requires a
// regular file of the size recorded when the sample was hashed (if one was) and at most
// `limit` bytes, hashes it through the open descriptor and compares the digests with the
// job's hashes. The body it returns streams from that same descriptor and checks the
// content again as it is sent (vt/file_body.h), so a file rewritten in place after the
// check aborts the transfer before its last byte.
//
// Errors (the job fails with the message, docs/pipeline.md):
//   kNotFound   the file is gone ("missing file: ...")
//   kTooLarge   over `limit` ("too large: ...")
//   kForbidden  not the queued sample: a symbolic link on the way, not a regular file
//               (FIFO, directory, device), another size, other content, outside `root`
//               ("not the queued sample: ...")
//   kIo         unreadable

#include <cstdint>
#include <filesystem>

#include "core/result.h"
#include "domain/job.h"
#include "vt/client.h"

namespace honeyvt::pipeline {

Result<vt::Upload> PrepareUpload(const domain::Job& job, const std::filesystem::path& root,
                                 std::int64_t limit);

}  // namespace honeyvt::pipeline
