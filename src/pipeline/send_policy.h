#pragma once
// What may be sent for a sample, decided at the moment of sending (an upload or a
// comment), never only when the sample was looked up: the configuration may have changed
// since (a job queued for upload under `upload = always` is not uploaded once the
// operator says `never`), and arrivals may have recorded restrictions since.
//
// A sample may be uploaded (commented) only if
//   - its job allows it (domain::Job::may_upload / may_comment: dionaea's vtcache said
//     VirusTotal has the file or the comment already), and
//   - the global `upload` / `comment` key allows it, and
//   - every configured folder its file was seen in allows it (FolderPolicy: a folder's
//     policy is the stricter of its own keys and the global ones). A sample seen both in
//     binaries/ and in a private partner folder is therefore private: the stricter wins.
// Folders are compared by their canonical paths (PipelineConfig::sources).
//
// SampleRoot names the folder an upload may read the file from: the root recorded when
// the file arrived (a configured folder, or the folder the operator named to `honeyvt
// enqueue`), or for jobs queued before roots were recorded, the configured folder the
// path lies below. Nothing outside it is ever read (pipeline/sample_upload.h).

#include <filesystem>
#include <optional>
#include <string>

#include "domain/job.h"
#include "pipeline/config.h"

namespace honeyvt::pipeline {

struct Permission {
  bool allowed = true;
  std::string why_not;  // when not allowed, e.g. "upload = never for /data/partner"
};

Permission UploadPermission(const PipelineConfig& config, const domain::Job& job);
Permission CommentPermission(const PipelineConfig& config, const domain::Job& job);

std::optional<std::filesystem::path> SampleRoot(const PipelineConfig& config,
                                                const domain::Job& job);

}  // namespace honeyvt::pipeline
