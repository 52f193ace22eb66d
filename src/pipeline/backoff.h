#pragma once
// Capped exponential backoff with jitter, from an injectable seeded generator so tests
// and simulations are reproducible. Not thread-safe.

#include <chrono>
#include <cstdint>
#include <random>

namespace honeyvt::pipeline {

class Backoff {
 public:
  explicit Backoff(std::uint64_t seed) : rng_(seed) {}
  // Delay before attempt `attempt` (1 = first retry): base * 2^(attempt-1), at most
  // `cap`, multiplied by a uniform factor in [0.75, 1.25].
  std::chrono::seconds Delay(int attempt, std::chrono::seconds base, std::chrono::seconds cap);

 private:
  std::mt19937_64 rng_;
};

}  // namespace honeyvt::pipeline
