#pragma once
// The two Client implementations (internal; use vt/factory.h).

#include <memory>

#include "core/api_limits.h"
#include "core/options.h"
#include "vt/client.h"
#include "vt/transport.h"

namespace honeyvt::vt {

inline constexpr std::string_view kV3BaseUrl = "https://www.virustotal.com/api/v3/";
inline constexpr std::string_view kV2BaseUrl = "https://www.virustotal.com/vtapi/v2/";

std::unique_ptr<Client> MakeV3Client(const Options& options, std::shared_ptr<Transport> transport);
std::unique_ptr<Client> MakeV2Client(const Options& options, std::shared_ptr<Transport> transport);

}  // namespace honeyvt::vt
