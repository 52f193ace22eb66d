#include "pipeline/poll_schedule.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace honeyvt::pipeline {
namespace {

std::string Key(std::size_t i) { return "poll_offset_" + std::to_string(i + 1); }

}  // namespace

PollSchedule::PollSchedule(const PipelineConfig& config) : config_(config) {
  const auto first = static_cast<double>(config_.first_poll_default.count());
  offsets_ = {first, first * 1.5, first * 2.0};
  Normalise();
}

void PollSchedule::Normalise() {
  const auto lo = static_cast<double>(config_.poll_min.count());
  const auto hi = static_cast<double>(config_.poll_cap.count());
  double floor = 0;
  for (double& o : offsets_) {
    if (!std::isfinite(o)) o = lo;
    o = std::clamp(std::max(o, floor + (floor > 0 ? lo : 0)), lo, hi);
    floor = o;
  }
}

Status PollSchedule::Load(domain::UsageStore& usage) {
  for (std::size_t i = 0; i < offsets_.size(); ++i) {
    ASSIGN_OR_RETURN(std::optional<double> v, usage.LoadTuning(Key(i)));
    if (v && std::isfinite(*v) && *v > 0) offsets_[i] = *v;
  }
  Normalise();
  return OkStatus();
}

std::chrono::seconds PollSchedule::Offset(int n) const {
  const auto i = static_cast<std::size_t>(std::clamp(n, 1, 3) - 1);
  return std::chrono::seconds(static_cast<std::int64_t>(std::ceil(offsets_[i])));
}

TimePoint PollSchedule::NextPollAt(TimePoint uploaded, int polls_done, TimePoint now) const {
  TimePoint target;
  if (polls_done < 3) {
    target = uploaded + Offset(polls_done + 1);
  } else {
    // Past the learnt grid (a slow analysis): wait half the time elapsed so far, so the
    // gaps grow 1.5x per poll and a stuck analysis costs few polls before the deadline.
    target = now + std::chrono::duration_cast<Duration>((now - uploaded) / 2);
  }
  return std::clamp(target, now + config_.poll_min, now + config_.poll_cap);
}

std::chrono::seconds PollSchedule::NextLook(int polls_done) const {
  const double grown = static_cast<double>(config_.poll_min.count()) *
                       std::pow(1.5, std::clamp(polls_done - 1, 0, 30));
  const double capped = std::min(grown, static_cast<double>(config_.poll_cap.count()));
  return std::chrono::seconds(static_cast<std::int64_t>(capped));
}

Status PollSchedule::Learn(int n, bool done, domain::UsageStore* usage) {
  if (n < 1 || n > 3) return OkStatus();  // later polls follow g3
  const auto i = static_cast<std::size_t>(n - 1);
  // Share of the analyses still running at poll n-1 that should be done at poll n.
  const double before = i == 0 ? 0.0 : kTargets[i - 1];
  const double want = (kTargets[i] - before) / (1.0 - before);
  offsets_[i] *= std::exp(kStep * ((done ? 0.0 : 1.0) - (1.0 - want)));
  Normalise();
  if (usage == nullptr) return OkStatus();
  for (std::size_t k = 0; k < offsets_.size(); ++k) {
    RETURN_IF_ERROR(usage->SaveTuning(Key(k), offsets_[k]));
  }
  return OkStatus();
}

}  // namespace honeyvt::pipeline
