#include "web/router.h"

#include "core/strings.h"

namespace honeyvt::web {
namespace {

// Matches "/a/{x}/b" against "/a/7/b"; captured segments go to `params`.
bool MatchPattern(const std::string& pattern, const std::string& path,
                  std::vector<std::string>& params) {
  if (pattern == path) return true;
  if (pattern.size() > 2 && pattern.ends_with("/*")) {
    const std::string prefix = pattern.substr(0, pattern.size() - 1);
    if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
    params = {path.substr(prefix.size())};
    return true;
  }
  const auto want = Split(pattern, '/');
  const auto got = Split(path, '/');
  if (want.size() != got.size()) return false;
  std::vector<std::string> captured;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const std::string& w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      if (got[i].empty()) return false;
      captured.push_back(got[i]);
    } else if (w != got[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

}  // namespace

const Route* Router::Match(const std::string& method, const std::string& path,
                           std::vector<std::string>& params, bool& method_mismatch) const {
  method_mismatch = false;
  const std::string m = method == "HEAD" ? "GET" : method;
  for (const Route& r : routes_) {
    std::vector<std::string> captured;
    if (!MatchPattern(r.pattern, path, captured)) continue;
    if (r.method != m) {
      method_mismatch = true;
      continue;
    }
    params = std::move(captured);
    return &r;
  }
  return nullptr;
}

}  // namespace honeyvt::web
