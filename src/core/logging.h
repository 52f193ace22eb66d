#pragma once
// Logging setup: one spdlog logger writing to stderr. Messages never contain the API key:
// it is held in a Secret, and VirusTotal error text is passed through Redact() first.

#include <string_view>

#include "core/result.h"

namespace honeyvt {

// Sets the global log level from its name (trace..off).
Status ConfigureLogging(std::string_view level);

}  // namespace honeyvt
