#pragma once
// The two Client implementations (internal; use vt/factory.h).

#include <memory>

#include "core/options.h"
#include "vt/client.h"
#include "vt/transport.h"

namespace honeyvt::vt {

inline constexpr std::string_view kV3BaseUrl = "https://www.virustotal.com/api/v3/";
inline constexpr std::string_view kV2BaseUrl = "https://www.virustotal.com/vtapi/v2/";
// v2 file/scan accepts "32 MB"; we stay below both readings of that.
inline constexpr std::int64_t kV2MaxUploadBytes = 32LL * 1000 * 1000;
// Private keys may batch up to 25 resources per v2 file/report.
inline constexpr int kV2MaxBatch = 25;

std::unique_ptr<Client> MakeV3Client(const Options& options, std::shared_ptr<Transport> transport);
std::unique_ptr<Client> MakeV2Client(const Options& options, std::shared_ptr<Transport> transport);

}  // namespace honeyvt::vt
