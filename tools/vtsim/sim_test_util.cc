#include "tools/vtsim/sim_test_util.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace honeyvt::vtsim::testing {
namespace {

using nlohmann::json;

const std::set<std::string> kMapLike = {"last_analysis_results", "results", "scans"};

std::string TypeOf(const json& j) {
  if (j.is_null() || j.is_string()) return "string-or-null";
  if (j.is_boolean()) return "bool";
  if (j.is_number_float()) return "float";
  if (j.is_number()) return "integer";
  if (j.is_array()) return "array";
  return "object";
}

void Compare(const json& e, const json& a, const std::string& path,
             const std::set<std::string>& optional, const std::set<std::string>& extra) {
  ASSERT_EQ(TypeOf(e), TypeOf(a)) << "at " << path;
  if (e.is_object()) {
    const std::string last = path.substr(path.rfind('.') + 1);
    if (kMapLike.count(last)) {
      if (e.empty() || a.empty()) return;
      for (const auto& [k, v] : a.items()) Compare(e.begin().value(), v, path + "." + k, optional, extra);
      return;
    }
    for (const auto& [k, v] : e.items()) {
      if (!a.contains(k)) {
        EXPECT_TRUE(optional.count(k)) << "missing key " << path << "." << k;
        continue;
      }
      Compare(v, a[k], path + "." + k, optional, extra);
    }
    for (const auto& [k, v] : a.items()) {
      EXPECT_TRUE(e.contains(k) || extra.count(k)) << "unexpected key " << path << "." << k;
    }
  } else if (e.is_array() && !e.empty() && !a.empty()) {
    for (const auto& item : a) Compare(e[0], item, path + "[]", optional, extra);
  }
}

}  // namespace

SimOptions TestOptions() {
  SimOptions o;
  o.keys = {kKey, "otherkey"};
  o.quota = "none";
  o.analysis_delay_seconds = 0;
  o.threads = 4;
  return o;
}

std::unique_ptr<Server> StartOrDie(const SimOptions& options) {
  auto s = Server::Start(options);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
  if (!s) return nullptr;
  return std::move(*s);
}

httplib::Headers V3Headers(const std::string& key) { return {{"x-apikey", key}}; }

json Fixture(const std::string& name) {
  return json::parse(
      honeyvt::testing::ReadFile(honeyvt::testing::FixturesDir() / "vt-fixtures" / name));
}

json FetchLog(Server& server) {
  httplib::Client cli(server.base_url());
  auto res = cli.Get("/_sim/log");
  EXPECT_TRUE(res && res->status == 200);
  return res ? json::parse(res->body) : json();
}

void ExpectSameShape(const json& expected, const json& actual, const std::set<std::string>& optional,
                     const std::set<std::string>& extra) {
  Compare(expected, actual, "$", optional, extra);
}

httplib::MultipartFormDataItems FilePart(const std::string& content, const std::string& filename,
                                         const std::string& apikey) {
  httplib::MultipartFormDataItems items;
  if (!apikey.empty()) items.push_back({"apikey", apikey, "", ""});
  items.push_back({"file", content, filename, "application/octet-stream"});
  return items;
}

}  // namespace honeyvt::vtsim::testing
