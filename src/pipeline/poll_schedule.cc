#include "pipeline/poll_schedule.h"

#include <algorithm>
#include <cmath>

namespace honeyvt::pipeline {

Status PollSchedule::Load(domain::UsageStore& usage) {
  ASSIGN_OR_RETURN(recent_, usage.RecentAnalysisDurations(static_cast<int>(kKeep)));
  return OkStatus();
}

void PollSchedule::Observe(std::chrono::seconds duration) {
  recent_.insert(recent_.begin(), duration);
  if (recent_.size() > kKeep) recent_.pop_back();
}

std::chrono::seconds PollSchedule::Percentile(double p) const {
  std::vector<std::chrono::seconds> sorted = recent_;
  std::sort(sorted.begin(), sorted.end());
  const auto index = static_cast<std::size_t>(std::llround(p * static_cast<double>(sorted.size() - 1)));
  return sorted[index];
}

std::chrono::seconds PollSchedule::FirstPoll() const {
  if (recent_.empty()) return config_.first_poll_default;
  // A little past the median: most analyses are then done at the first poll.
  const auto median = Percentile(0.5);
  const auto first = std::chrono::seconds(static_cast<std::int64_t>(
      std::ceil(static_cast<double>(median.count()) * 1.05)));
  return std::clamp(first, config_.poll_min, config_.poll_cap);
}

std::chrono::seconds PollSchedule::NextPoll(int polls_done) const {
  std::chrono::seconds base = config_.poll_min;
  if (!recent_.empty()) base = std::max(base, Percentile(0.9) - Percentile(0.5));
  const double grown = static_cast<double>(base.count()) *
                       std::pow(1.5, std::clamp(polls_done - 1, 0, 30));
  const double capped = std::min(grown, static_cast<double>(config_.poll_cap.count()));
  return std::chrono::seconds(static_cast<std::int64_t>(capped));
}

}  // namespace honeyvt::pipeline
