#pragma once
// Generates a realistic dionaea logsql database for benchmarks: the fixtures' mix of
// attacks (SMB/DCERPC roots with bindshell and FTP child chains, downloads of a pool of
// samples with VirusTotal reports, MSSQL and MySQL logins and commands, SIP scans, HTTP
// downloads, pcap rejects). Child connections are interleaved with later attacks, as on
// a busy honeypot. Deterministic for a given seed. One transaction, prepared statements.

#include <cstdint>
#include <filesystem>

#include "core/result.h"

namespace honeyvt::bench {

struct GeneratorOptions {
  std::int64_t connections = 250000;  // total rows in `connections`
  std::uint32_t seed = 42;
  int samples = 500;  // distinct md5s downloaded (each with a VirusTotal report)
};

struct GeneratorStats {
  std::int64_t connections = 0, roots = 0, downloads = 0, scans = 0;
};

// Creates `path` (must not exist) with dionaea's schema and the generated rows.
Result<GeneratorStats> GenerateLogsql(const std::filesystem::path& path,
                                      const GeneratorOptions& options);

}  // namespace honeyvt::bench
