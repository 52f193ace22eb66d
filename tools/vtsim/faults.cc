#include "tools/vtsim/faults.h"

#include <array>
#include <utility>

#include "core/strings.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<FaultKind, std::string_view>, 13> kNames = {{
    {FaultKind::kNone, "ok"},
    {FaultKind::k500, "500"},
    {FaultKind::k502, "502"},
    {FaultKind::k503, "503"},
    {FaultKind::k504, "504"},
    {FaultKind::k429, "429"},
    {FaultKind::kReset, "reset"},
    {FaultKind::kStall, "stall"},
    {FaultKind::kTruncate, "truncate"},
    {FaultKind::kNonJson, "nonjson"},
    {FaultKind::kWrongType, "wrongtype"},
    {FaultKind::kSlow, "slow"},
    {FaultKind::kStallBody, "stall-body"},
}};

constexpr std::string_view kKinds =
    "500, 502, 503, 504, 429, reset, stall, truncate, nonjson, wrongtype, slow, stall-body, ok, "
    "never-complete";

Result<FaultAction> ParseAction(std::string_view text) {
  const std::string t = Trim(text);
  const auto eq = t.find('=');
  const std::string name = t.substr(0, eq);
  FaultAction a;
  bool found = false;
  for (const auto& [kind, n] : kNames) {
    if (n == name) {
      a.kind = kind;
      found = true;
    }
  }
  if (!found) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown fault \"" + name + "\" (known: " + std::string(kKinds) + ")");
  }
  if (a.kind == FaultKind::kSlow) a.delay = std::chrono::milliseconds(2000);
  if (a.kind == FaultKind::kStall || a.kind == FaultKind::kStallBody) {
    a.delay = std::chrono::milliseconds(30000);
  }
  if (eq != std::string::npos) {
    auto ms = ParseInt(t.substr(eq + 1));
    if (!ms || *ms < 0 || *ms > 3600000) {
      return MakeError(ErrorCode::kInvalidArgument, "fault \"" + t + "\": bad milliseconds");
    }
    a.delay = std::chrono::milliseconds(*ms);
  }
  return a;
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  for (const auto& [k, n] : kNames) {
    if (k == kind) return n;
  }
  return "?";
}

Status FaultPlan::AddSpec(std::string_view spec_in) {
  std::string spec = Trim(spec_in);
  std::string prefix;
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    prefix = spec.substr(slash);
    spec = spec.substr(0, slash);
  }
  double fraction = 1.0;
  if (auto at = spec.find('@'); at != std::string::npos) {
    auto f = ParseDecimal(spec.substr(at + 1));
    if (!f || *f < 0 || *f > 1) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "fault \"" + std::string(spec_in) + "\": fraction must be between 0 and 1");
    }
    fraction = *f;
    spec = spec.substr(0, at);
  }
  if (spec == "never-complete") {
    never_complete_ = fraction;
    return OkStatus();
  }
  auto action = ParseAction(spec);
  if (!action) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "fault \"" + std::string(spec_in) + "\": " + action.error().message);
  }
  rules_.push_back(FaultRule{*action, fraction, prefix});
  return OkStatus();
}

Status FaultPlan::AddSequence(std::string_view items) {
  for (const std::string& item : Split(items, ',')) {
    if (Trim(item).empty()) continue;
    ASSIGN_OR_RETURN(FaultAction a, ParseAction(item));
    if (a.kind == FaultKind::kStallBody) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "stall-body acts before the request is read: use it as a rule, not in a "
                       "sequence");
    }
    sequence_.push_back(a);
  }
  return OkStatus();
}

Status FaultPlan::SetFromJson(const json& body) {
  if (!body.is_object()) return MakeError(ErrorCode::kInvalidArgument, "expected a JSON object");
  FaultPlan fresh;
  try {
    if (body.contains("seed")) fresh.Seed(body["seed"].get<std::uint64_t>());
    for (const json& r : body.value("rules", json::array())) {
      if (r.is_string()) {
        RETURN_IF_ERROR(fresh.AddSpec(r.get<std::string>()));
        continue;
      }
      std::string spec = r.at("kind").get<std::string>();
      // Appended piece by piece ("=" + std::string trips GCC 12's -Wrestrict at -O3).
      if (r.contains("ms")) spec.append(1, '=').append(std::to_string(r["ms"].get<std::int64_t>()));
      if (r.contains("fraction")) {
        spec.append(1, '@').append(std::to_string(r["fraction"].get<double>()));
      }
      const std::string path = r.value("path", std::string());
      if (!path.empty() && path[0] != '/') {
        return MakeError(ErrorCode::kInvalidArgument, "a rule's path must start with '/'");
      }
      RETURN_IF_ERROR(fresh.AddSpec(spec + path));
    }
    for (const json& s : body.value("sequence", json::array())) {
      RETURN_IF_ERROR(fresh.AddSequence(s.get<std::string>()));
    }
    if (body.contains("never_complete")) {
      const double f = body["never_complete"].get<double>();
      if (f < 0 || f > 1)
        return MakeError(ErrorCode::kInvalidArgument, "never_complete must be 0..1");
      fresh.never_complete_ = f;
    }
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("bad fault JSON: ") + e.what());
  }
  *this = std::move(fresh);
  return OkStatus();
}

json FaultPlan::ToJson() const {
  json rules = json::array();
  for (const FaultRule& r : rules_) {
    rules.push_back({{"kind", FaultKindName(r.action.kind)},
                     {"fraction", r.fraction},
                     {"path", r.path_prefix},
                     {"ms", r.action.delay.count()}});
  }
  json seq = json::array();
  for (const FaultAction& a : sequence_) {
    std::string item(FaultKindName(a.kind));
    if (a.kind == FaultKind::kSlow || a.kind == FaultKind::kStall) {
      item.append(1, '=').append(std::to_string(a.delay.count()));
    }
    seq.push_back(item);
  }
  return {
      {"rules", rules}, {"sequence", seq}, {"never_complete", never_complete_}, {"seed", seed_}};
}

FaultAction FaultPlan::Next(std::string_view path) {
  if (!sequence_.empty()) {
    FaultAction a = sequence_.front();
    sequence_.pop_front();
    return a;
  }
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  for (const FaultRule& r : rules_) {
    if (r.action.kind == FaultKind::kStallBody || !path.starts_with(r.path_prefix)) continue;
    if (r.fraction >= 1.0 || coin(rng_) < r.fraction) return r.action;
  }
  return {};
}

FaultAction FaultPlan::NextBodyFault(std::string_view path) {
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  for (const FaultRule& r : rules_) {
    if (r.action.kind != FaultKind::kStallBody || !path.starts_with(r.path_prefix)) continue;
    if (r.fraction >= 1.0 || coin(rng_) < r.fraction) return r.action;
  }
  return {};
}

bool FaultPlan::NextAnalysisStalls() {
  if (never_complete_ <= 0) return false;
  if (never_complete_ >= 1) return true;
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  return coin(rng_) < never_complete_;
}

}  // namespace honeyvt::vtsim
