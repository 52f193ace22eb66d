#pragma once
// What the simulator knows about one file: its hashes and metadata (rendered into the v3
// file object and the v2 report) and its detection profile (from which engine results
// are generated, see verdict.h). Plain data.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace honeyvt::vtsim {

enum class FileKind { kPe, kElf, kDocument, kText };

// One engine's result, in v3 terms.
struct EngineVerdict {
  std::string key;                      // results-map key
  std::string engine_name;
  std::optional<std::string> version;   // nullopt = JSON null
  std::string update;                   // "YYYYMMDD"
  std::string category;                 // malicious, undetected, type-unsupported, ...
  std::optional<std::string> result;    // detection name or null
};

// What an explicit catalogue result says for one engine.
struct ExplicitResult {
  std::string category;                 // default "malicious" when a name is given
  std::optional<std::string> result;
};

struct Sample {
  std::string md5, sha1, sha256;        // lowercase hex
  std::int64_t size = 0;
  FileKind kind = FileKind::kPe;
  std::string type_description;         // empty = derived from kind
  std::vector<std::string> names;
  std::vector<std::string> tags;
  std::int64_t first_submission_date = 0;
  std::int64_t last_submission_date = 0;
  std::int64_t last_analysis_date = 0;
  int times_submitted = 1;
  int unique_sources = 1;
  int reputation = 0;

  // Detection profile. Explicit results win; otherwise `positives` malicious engines
  // (nullopt = derived from the sha256) naming `family` (empty = derived).
  std::map<std::string, ExplicitResult> explicit_results;
  std::optional<int> positives;
  std::optional<int> total;            // engines listed (first N of the table); nullopt = all
  std::string family;
  bool eicar = false;
};

struct Stats {
  int harmless = 0, malicious = 0, suspicious = 0, undetected = 0, timeout = 0,
      confirmed_timeout = 0, failure = 0, type_unsupported = 0;
};

}  // namespace honeyvt::vtsim
