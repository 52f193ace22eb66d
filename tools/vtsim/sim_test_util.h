#pragma once
// Helpers for vtsim's own tests: start a simulator in-process, talk to it, and compare
// JSON shapes with the recorded fixtures in tests/fixtures/vt-fixtures/.

#include <memory>
#include <set>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tools/vtsim/server.h"

namespace honeyvt::vtsim::testing {

inline constexpr const char* kKey = "testkey";

// Options for tests: key "testkey" (and "otherkey"), no quota, immediate analyses.
SimOptions TestOptions();
// Starts the server or fails the test (the returned pointer is then null).
std::unique_ptr<Server> StartOrDie(const SimOptions& options);

httplib::Headers V3Headers(const std::string& key = kKey);
nlohmann::json Fixture(const std::string& name);
nlohmann::json FetchLog(Server& server);

// Expects `actual` to have the same keys with the same JSON value types as `expected`,
// recursively. Map-like objects (engine results, scans) compare every entry of `actual`
// against the first entry of `expected`. A null and a string are interchangeable (engine
// results and versions are one or the other). `optional` names keys `expected` may have
// that `actual` need not; `extra` names keys `actual` may add.
void ExpectSameShape(const nlohmann::json& expected, const nlohmann::json& actual,
                     const std::set<std::string>& optional = {},
                     const std::set<std::string>& extra = {});

// A multipart body with one part "file" (and an optional "apikey" part for v2).
httplib::MultipartFormDataItems FilePart(const std::string& content,
                                         const std::string& filename = "sample.bin",
                                         const std::string& apikey = "");

}  // namespace honeyvt::vtsim::testing
