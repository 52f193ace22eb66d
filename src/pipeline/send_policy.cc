#include "pipeline/send_policy.h"

#include <algorithm>
#include <vector>

namespace honeyvt::pipeline {
namespace fs = std::filesystem;

namespace {

// Every folder the job's file was seen in, with the configured policy of each. Ingest
// records folders by their canonical path; a configured folder that did not exist when
// the daemon started is resolved again here, so a link in its path cannot hide it.
std::vector<const SourcePolicy*> SourcesOf(const PipelineConfig& config, const domain::Job& job) {
  std::vector<std::string> roots = job.seen_in;
  if (!job.root.empty()) roots.push_back(job.root);
  std::vector<const SourcePolicy*> out;
  if (roots.empty()) return out;
  auto seen = [&roots](const fs::path& p) {
    return std::find(roots.begin(), roots.end(), p.string()) != roots.end();
  };
  for (const SourcePolicy& s : config.sources) {
    std::error_code ec;
    const fs::path now = fs::weakly_canonical(s.root, ec);
    if (seen(s.root) || (!ec && seen(now))) out.push_back(&s);
  }
  return out;
}

bool Below(const fs::path& root, const fs::path& path) {
  const fs::path rel = path.lexically_normal().lexically_relative(root);
  return !rel.empty() && *rel.begin() != ".." && *rel.begin() != ".";
}

}  // namespace

Permission UploadPermission(const PipelineConfig& config, const domain::Job& job) {
  if (!job.may_upload) {
    return {false, "VirusTotal already has (or may have) the file (dionaea's vtcache): no upload"};
  }
  if (config.upload == UploadPolicy::kNever) return {false, "upload = never"};
  for (const SourcePolicy* s : SourcesOf(config, job)) {
    if (s->upload == UploadPolicy::kNever) return {false, "upload = never for " + s->root.string()};
  }
  return {};
}

Permission CommentPermission(const PipelineConfig& config, const domain::Job& job) {
  if (!job.may_comment) {
    return {false, "a comment was (or may have been) posted already (dionaea's vtcache)"};
  }
  if (!config.comment) return {false, "comment = false"};
  for (const SourcePolicy* s : SourcesOf(config, job)) {
    if (!s->comment) return {false, "comment = false for " + s->root.string()};
  }
  return {};
}

std::optional<fs::path> SampleRoot(const PipelineConfig& config, const domain::Job& job) {
  if (!job.root.empty()) return fs::path(job.root);
  const SourcePolicy* best = nullptr;
  for (const SourcePolicy& s : config.sources) {
    if (Below(s.root, job.path) &&
        (best == nullptr || s.root.string().size() > best->root.string().size())) {
      best = &s;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->root;
}

}  // namespace honeyvt::pipeline
