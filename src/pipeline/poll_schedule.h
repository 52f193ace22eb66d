#pragma once
// Adaptive polling: when to poll an uploaded sample's analysis. The first poll waits about
// as long as analyses have recently taken (the median of the observed durations, persisted
// in the state database); each later poll waits the spread between the median and the
// 90th percentile (at least poll_min), growing by half each time, capped at poll_cap.
// Not thread-safe.

#include <chrono>
#include <vector>

#include "domain/job_store.h"
#include "pipeline/config.h"

namespace honeyvt::pipeline {

class PollSchedule {
 public:
  explicit PollSchedule(const PipelineConfig& config) : config_(config) {}
  // Loads recent durations (newest first) from the store.
  Status Load(domain::UsageStore& usage);
  // Adds one observed duration (upload to completed analysis).
  void Observe(std::chrono::seconds duration);
  // Delay from the upload to the first poll.
  std::chrono::seconds FirstPoll() const;
  // Delay after poll number `polls_done` (>= 1) found the analysis unfinished.
  std::chrono::seconds NextPoll(int polls_done) const;

 private:
  std::chrono::seconds Percentile(double p) const;
  PipelineConfig config_;
  std::vector<std::chrono::seconds> recent_;  // newest first, at most kKeep
  static constexpr std::size_t kKeep = 50;
};

}  // namespace honeyvt::pipeline
