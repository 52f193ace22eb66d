#include "pipeline/config.h"

#include "core/api_limits.h"

namespace honeyvt::pipeline {

namespace {

// How ingest records a folder (canonical); a folder that does not exist yet keeps its
// absolute form and is matched once it does (the daemon computes this at start).
std::filesystem::path Canonical(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::canonical(folder, ec);
  if (!ec) return p;
  return std::filesystem::absolute(folder, ec).lexically_normal();
}

}  // namespace

PipelineConfig PipelineConfig::FromOptions(const Options& options) {
  PipelineConfig c;
  c.sources.push_back({Canonical(options.binaries), options.upload, options.comment});
  for (const auto& folder : options.watch) {
    SourcePolicy s{Canonical(folder), options.upload, options.comment};
    for (const FolderPolicy& p : options.folder_policy) {
      if (p.folder != folder) continue;
      if (p.upload == UploadPolicy::kNever) s.upload = UploadPolicy::kNever;
      if (p.comment == false) s.comment = false;
    }
    c.sources.push_back(std::move(s));
  }
  c.upload = options.upload;
  c.max_upload_size = UploadLimit(options.api_version, options.max_upload_size);
  c.comment = options.comment;
  c.comment_text = options.comment_text;
  c.comment_delay = options.comment_delay;
  c.v2_batch_size = V2BatchSize(options.v2_batch_size);
  c.refresh = options.refresh;
  c.refresh_age = options.refresh_age;
  c.refresh_below = options.refresh_below;
  c.lease = options.request_timeout + std::chrono::seconds(60);
  return c;
}

}  // namespace honeyvt::pipeline
