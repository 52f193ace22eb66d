#include "core/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace honeyvt {

Status ConfigureLogging(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return MakeError(ErrorCode::kInvalidArgument, "unknown log level '" + std::string(level) + "'");
  }
  static auto logger = [] {
    auto l = spdlog::stderr_logger_mt("honeyvt");
    l->set_pattern("%Y-%m-%dT%H:%M:%S%z honeyvt %l: %v");
    return l;
  }();
  spdlog::set_default_logger(logger);
  spdlog::set_level(lvl);
  return OkStatus();
}

}  // namespace honeyvt
