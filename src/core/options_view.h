#pragma once
// The effective configuration as text, for a person to read (the dashboard's status
// page): every key of ConfigKeys() with its value, secrets left out. The API key is only
// said to be set or not; a proxy URL loses its user and password.

#include <string>
#include <utility>
#include <vector>

#include "core/options.h"

namespace honeyvt {

// {key, value} in ConfigKeys() order, then "api_key" ("set" / "not set").
std::vector<std::pair<std::string, std::string>> OptionValues(const Options& options);

// `url` without a "user:password@" part.
std::string WithoutCredentials(std::string_view url);

// `dsn` (a libpq keyword string or URI) without its password.
std::string DsnWithoutPassword(std::string_view dsn);

}  // namespace honeyvt
