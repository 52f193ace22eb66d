#pragma once
// Generates realistic dionaea + VirusTotal data into an existing logsql file: SMB attacks
// (root accept on 445 with DCERPC binds/requests, many through a vulnerable op such as
// SRVSVC NetPathCanonicalize / MS08-67), downloads on the root or on a child connection,
// and per sample one VirusTotal report (sometimes two) with ~70 vendors naming the
// sample's family each in its own style (Kaspersky "Net-Worm.Win32.Kido.ih", Microsoft
// "Worm:Win32/Conficker.B", Symantec "W32.Downadup.B", generic names, NULL = undetected).
// Deterministic for a given seed. Used by tests and bench/gen_vtdb. Ids come from SQLite
// (rows are appended after existing ones); DCERPC uuids/opnums are read from the file's
// own seed rows, never hard-coded ids.

#include <cstdint>
#include <filesystem>

#include "core/result.h"

namespace honeyvt::report::testing {

struct VtDataOptions {
  std::int64_t samples = 1000;
  int vendors = 72;              // at most 72
  double without_report = 0.08;  // share of samples with no VirusTotal report yet
  double second_report = 0.02;   // share of reported samples with an older 2nd report
  double vendor_absent = 0.03;   // chance a vendor has no row in a report
  double start = 1286470647.0;   // first attack (Unix seconds)
  int days = 90;                 // attacks spread over this many days
  std::uint64_t seed = 1;
};

struct VtDataStats {
  std::int64_t samples = 0;
  std::int64_t samples_with_report = 0;
  std::int64_t reports = 0;
  std::int64_t scans = 0;
  std::int64_t downloads = 0;
  std::int64_t connections = 0;
};

Result<VtDataStats> GenerateVtData(const std::filesystem::path& logsql,
                                   const VtDataOptions& options);

}  // namespace honeyvt::report::testing
