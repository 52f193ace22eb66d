#include "pipeline/config.h"

#include <algorithm>

#include "vt/client.h"

namespace honeyvt::pipeline {

PipelineConfig PipelineConfig::FromOptions(const Options& options) {
  PipelineConfig c;
  c.upload = options.upload;
  c.max_upload_size = std::min(options.max_upload_size, vt::kMaxUploadBytes);
  c.comment = options.comment;
  c.comment_text = options.comment_text;
  c.comment_delay = options.comment_delay;
  c.v2_batch_size = std::clamp(options.v2_batch_size, 1, 25);
  c.refresh = options.refresh;
  c.refresh_age = options.refresh_age;
  c.refresh_below = options.refresh_below;
  c.lease = options.request_timeout + std::chrono::seconds(60);
  return c;
}

}  // namespace honeyvt::pipeline
