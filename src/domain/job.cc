#include "domain/job.h"

#include <array>

namespace honeyvt::domain {
namespace {
constexpr std::array<std::string_view, kJobStateCount> kNames = {
    "lookup", "upload", "comment", "poll", "relookup", "done", "failed"};
}  // namespace

std::string_view JobStateName(JobState state) {
  return kNames[static_cast<std::size_t>(state)];
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<JobState>(i);
  }
  return std::nullopt;
}

const std::string& Job::LookupHash() const {
  if (!md5.empty()) return md5;
  if (!sha256.empty()) return sha256;
  return sha1;
}

}  // namespace honeyvt::domain
