#include "domain/report.h"

#include <algorithm>

namespace honeyvt::domain {

int FileReport::Positives() const {
  return static_cast<int>(
      std::count_if(engines.begin(), engines.end(), [](const auto& e) { return e.Detected(); }));
}

int FileReport::Total() const {
  return static_cast<int>(
      std::count_if(engines.begin(), engines.end(), [](const auto& e) { return e.Judged(); }));
}

}  // namespace honeyvt::domain
