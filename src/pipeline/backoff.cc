#include "pipeline/backoff.h"

#include <algorithm>
#include <cmath>

namespace honeyvt::pipeline {

std::chrono::seconds Backoff::Delay(int attempt, std::chrono::seconds base,
                                    std::chrono::seconds cap) {
  const int exponent = std::clamp(attempt - 1, 0, 30);
  const double raw = std::min(static_cast<double>(base.count()) * std::ldexp(1.0, exponent),
                              static_cast<double>(cap.count()));
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  const double d = std::max(1.0, raw * jitter(rng_));
  return std::chrono::seconds(static_cast<std::int64_t>(std::llround(d)));
}

}  // namespace honeyvt::pipeline
