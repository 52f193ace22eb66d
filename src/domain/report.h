#pragma once
// What VirusTotal says about a file, independent of API version and of storage. The vt
// module produces these; store writes them to logsql and honeyvt's own tables; the
// pipeline moves them between the two. Plain data, no behaviour beyond derived counts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace honeyvt::domain {

// One engine's verdict. `category` uses v3's words: malicious, suspicious, undetected,
// harmless, type-unsupported, timeout, confirmed-timeout, failure. v2 reports map
// detected=true to "malicious" and false to "undetected".
struct EngineResult {
  std::string engine;         // key in the results map (v3) / scans map (v2)
  std::string engine_name;    // v3 engine_name (may differ from the key); v2: same as key
  std::string version;        // may be empty
  std::string update;         // "YYYYMMDD", may be empty
  std::string category;
  std::optional<std::string> result;  // detection name; nullopt when not detected

  bool Detected() const { return category == "malicious" || category == "suspicious"; }
  // True if the engine judged the file (gets a virustotalscans row; counts in the ratio).
  bool Judged() const {
    return Detected() || category == "undetected" || category == "harmless";
  }
};

struct FileReport {
  std::string md5, sha1, sha256;
  std::int64_t size = -1;              // bytes; -1 unknown
  std::string type_description;        // "Win32 EXE"
  std::vector<std::string> names;
  std::int64_t first_submission_date = 0;  // Unix seconds; 0 unknown
  std::int64_t last_analysis_date = 0;     // Unix seconds: the scan date stored in logsql
  std::vector<EngineResult> engines;   // in the server's order
  std::string suggested_threat_label;  // v3 popular_threat_classification; may be empty
  std::string permalink;               // v2: as returned; v3: https://www.virustotal.com/gui/file/<sha256>
  std::string scan_id;                 // v2 scan_id; empty for v3
  std::string raw_json;                // the body the report was parsed from

  int Positives() const;  // engines with Detected()
  int Total() const;      // engines with Judged()
};

enum class AnalysisStatus { kQueued, kInProgress, kCompleted };

// What an upload or re-analysis returns: a handle to poll.
struct AnalysisRef {
  std::string id;         // v3 analysis id, or v2 scan_id
  std::string sha256;     // when the reply names it (v2), else empty
  std::string permalink;  // v2 only
};

struct Analysis {
  std::string id;
  AnalysisStatus status = AnalysisStatus::kQueued;
  std::int64_t date = 0;               // Unix seconds
  std::string md5, sha1, sha256;       // meta.file_info when present
  std::vector<EngineResult> engines;   // empty until completed
};

struct CommentAck {
  std::string id;  // v3 comment id; empty for v2
};

}  // namespace honeyvt::domain
