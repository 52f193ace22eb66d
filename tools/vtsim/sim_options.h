#pragma once
// Configuration of one simulator instance: a plain struct filled by vtsim's flags or by a
// test. Units are in the names or types. Validated by Server::Start.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/clock.h"

namespace honeyvt::vtsim {

struct SimOptions {
  std::string host = "127.0.0.1";  // listen address
  int port = 0;                    // 0 = pick a free port (Server::port() tells which)
  // Accepted API keys. Empty = every non-empty key is accepted ("open" mode).
  std::vector<std::string> keys;
  // Catalogue JSON files or directories of *.json, loaded in order.
  std::vector<std::filesystem::path> catalogues;
  // Quota windows per key (quota.h), e.g. "4/1m,500/1d,15500/1mo"; "none" = unlimited.
  std::string quota = "4/1m,500/1d,15500/1mo";
  // Simulated seconds from upload/rescan to "completed" (queued for the first half,
  // in-progress for the second).
  double analysis_delay_seconds = 60;
  // When greater than analysis_delay_seconds, each file's analysis takes a delay between
  // the two, uniform over its sha256: min + (first 8 hex digits as a number) mod
  // (max - min + 1) whole seconds (the schedule simulator uses the same rule).
  double analysis_delay_max_seconds = 0;
  // Simulated time runs this many times faster than the base clock (> 0).
  double time_factor = 1;
  // Fault specs (faults.h), a scripted sequence ("503,ok,reset"), and the random seed.
  std::vector<std::string> faults;
  std::string fault_sequence;
  std::uint64_t fault_seed = 1;
  // Size limits in bytes: POST /api/v3/files and v2 file/scan (32 MB on VirusTotal), and
  // the one-time upload URL (650 MB).
  std::int64_t max_direct_upload = 32LL * 1024 * 1024;
  std::int64_t max_upload = 650LL * 1024 * 1024;
  // v2 file/report batch limit (4 public, 25 private) and whether a batch costs one
  // request (false) or one per resource (true).
  int v2_batch_limit = 4;
  bool v2_batch_cost_per_item = false;
  int threads = 16;  // HTTP worker threads (stalled responses each hold one)
  // Base clock; nullptr = the system clock. Must outlive the server.
  Clock* clock = nullptr;
};

}  // namespace honeyvt::vtsim
