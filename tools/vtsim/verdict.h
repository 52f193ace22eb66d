#pragma once
// Deterministic verdicts. Engine results are a pure function of a Sample (its sha256
// seeds every choice) and the analysis date, so a sample gets the same categories and
// names on every run and every rescan; only dates move. Unknown uploads get a profile
// derived from their content: about 15% clean, 10% weakly detected, the rest detected by
// 40-85% of the engines under a realistic family name.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/vtsim/sample.h"

namespace honeyvt::vtsim {

std::vector<EngineVerdict> GenerateResults(const Sample& sample, std::int64_t analysis_date);
Stats CountStats(const std::vector<EngineVerdict>& results);

// A new Sample for uploaded bytes the catalogue does not know.
Sample SampleForUpload(std::string_view content, std::string_view filename,
                       std::int64_t now_unix);
// Guesses the file kind from the first bytes (MZ, ELF, OLE2/PDF/ZIP, else text).
FileKind SniffKind(std::string_view content);

// v3 type attributes for a kind.
struct TypeInfo {
  std::string description, tag, extension, magic;
  std::vector<std::string> tags;
};
TypeInfo TypeFor(const Sample& sample);

// The family whose name the sample's detections carry ("" for clean samples).
std::string EffectiveFamily(const Sample& sample);

}  // namespace honeyvt::vtsim
