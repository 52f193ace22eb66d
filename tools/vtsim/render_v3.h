#pragma once
// VirusTotal API v3 JSON shapes (tests/fixtures/VT-API.md §2): file object, analysis object and
// descriptor, comment object, error body. Bodies are serialised pretty-printed with a
// 4-space indent, as the live service sends them. `base` is the simulator's own base URL
// ("http://127.0.0.1:PORT") used in links.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tools/vtsim/sample.h"
#include "tools/vtsim/simulator.h"

namespace honeyvt::vtsim {

inline constexpr std::string_view kV3ContentType = "application/json; charset=utf-8";

std::string V3Dump(const nlohmann::json& body);
nlohmann::json V3Error(std::string_view code, std::string_view message);
nlohmann::json V3Results(const std::vector<EngineVerdict>& results);
nlohmann::json V3Stats(const Stats& stats);
nlohmann::json V3FileObject(const Sample& sample, std::string_view base);
nlohmann::json V3Analysis(const AnalysisView& analysis, std::string_view base);
nlohmann::json V3AnalysisDescriptor(std::string_view id, std::string_view base);
nlohmann::json V3Comment(const CommentView& comment, std::string_view base);

}  // namespace honeyvt::vtsim
