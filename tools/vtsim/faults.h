#pragma once
// Fault injection plan: what goes wrong with which API request.
//
// Spec syntax (flag --fault, repeatable; also accepted as strings by POST /_sim/faults):
//   KIND[=MS][@FRACTION][/PATH-PREFIX]
//     KIND      500 502 503 504 429 reset stall truncate nonjson wrongtype slow
//               stall-body (stop reading a POST's body, as a stalled upload link)
//               never-complete (a FRACTION of new analyses never leaves "queued")
//     =MS       delay for slow (default 2000), stall and stall-body (default 30000),
//               in real ms
//     @FRACTION probability per request, 0..1 (default 1)
//     /PREFIX   only requests whose path starts with /PREFIX (default: every API path)
//   e.g. "503@0.2", "slow=1500@0.5/api/v3/analyses", "reset/vtapi/v2/", "never-complete@0.5"
// A scripted sequence ("503,ok,reset,slow=500") is consumed one item per API request,
// before any fractional rule; "ok" passes a request untouched. stall-body acts before
// the request is read, so it is a rule only (not a sequence item) and is drawn by
// NextBodyFault, not Next.
// Not thread-safe (owner serialises). Randomness comes from a seeded generator, so a run
// with the same seed and the same request order injects the same faults.

#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace honeyvt::vtsim {

enum class FaultKind {
  kNone,
  k500,
  k502,
  k503,
  k504,
  k429,
  kReset,
  kStall,
  kTruncate,
  kNonJson,
  kWrongType,
  kSlow,
  kStallBody,
};

std::string_view FaultKindName(FaultKind kind);

struct FaultAction {
  FaultKind kind = FaultKind::kNone;
  std::chrono::milliseconds delay{0};  // slow: before replying; stall: after half the body
};

struct FaultRule {
  FaultAction action;
  double fraction = 1.0;
  std::string path_prefix;  // empty = every API path
};

class FaultPlan {
 public:
  // Adds one spec (syntax above). kInvalidArgument names the spec and what is wrong.
  Status AddSpec(std::string_view spec);
  // Appends "503,ok,reset" to the scripted sequence.
  Status AddSequence(std::string_view items);
  // Replaces the plan from control JSON:
  //   {"rules": ["503@0.2" | {"kind","fraction","path","ms"}], "sequence": [...],
  //    "never_complete": 0.5, "seed": 7}
  Status SetFromJson(const nlohmann::json& body);
  nlohmann::json ToJson() const;
  void Seed(std::uint64_t seed) {
    rng_.seed(seed);
    seed_ = seed;
  }

  // The fault for the next API request to `path` (kNone for none).
  FaultAction Next(std::string_view path);
  // The stall-body fault for a POST to `path` whose body has not been read yet (kNone
  // for none).
  FaultAction NextBodyFault(std::string_view path);
  // Whether a new analysis should never complete.
  bool NextAnalysisStalls();

 private:
  std::vector<FaultRule> rules_;
  std::deque<FaultAction> sequence_;
  double never_complete_ = 0;
  std::uint64_t seed_ = 1;
  std::mt19937_64 rng_{1};
};

}  // namespace honeyvt::vtsim
