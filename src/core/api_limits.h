#pragma once
// VirusTotal's limits, decided once for the configuration, the clients (src/vt), the
// pipeline and the status/backlog estimates.

#include <algorithm>
#include <cstdint>

namespace honeyvt {

// Largest file API v3 accepts (through GET /files/upload_url).
inline constexpr std::int64_t kMaxUploadBytes = 650LL * 1000 * 1000;
// v2 file/scan accepts "32 MB"; we stay below both readings of that.
inline constexpr std::int64_t kV2MaxUploadBytes = 32LL * 1000 * 1000;
// Resources per v2 file/report request: 4 on public keys, private keys up to 25.
inline constexpr int kV2MaxBatch = 25;

// The largest file honeyvt uploads: the configured max_upload_size, capped at the API's.
inline std::int64_t UploadLimit(int api_version, std::int64_t configured) {
  return std::min(configured, api_version == 2 ? kV2MaxUploadBytes : kMaxUploadBytes);
}

// Resources per v2 file/report request: the configured v2_batch_size within 1..25.
inline int V2BatchSize(int configured) { return std::clamp(configured, 1, kV2MaxBatch); }

}  // namespace honeyvt
