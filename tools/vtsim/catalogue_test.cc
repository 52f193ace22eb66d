#include "tools/vtsim/catalogue.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "tools/vtsim/verdict.h"

namespace honeyvt::vtsim {
namespace {

constexpr std::int64_t kNow = 1767225600;
const std::string kMd5 = "b214da9f6b0d6e6de5090b3f9672defe";

TEST(CatalogueTest, EicarIsKnownByEveryHash) {
  Catalogue c(kNow);
  for (auto h : {kEicarMd5, kEicarSha1, kEicarSha256}) {
    const Sample* s = c.Find(h);
    ASSERT_TRUE(s) << h;
    EXPECT_EQ(s->sha256, kEicarSha256);
    EXPECT_EQ(s->size, 68);
  }
}

TEST(CatalogueTest, MapByHashWithProfileAndSynthesisedHashes) {
  Catalogue c(kNow);
  ASSERT_TRUE(c.LoadJson(R"({")" + kMd5 + R"(": {"positives": 30, "total": 60, "family": "Allaple",
      "names": ["x.exe"], "first_seen": "2010-10-07T16:57:27Z", "type": "pe"}})", "t"));
  const Sample* s = c.Find(kMd5);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->sha256.size(), 64u);
  EXPECT_EQ(c.Find(s->sha256), s);
  EXPECT_EQ(s->first_submission_date, 1286470647);
  const auto results = GenerateResults(*s, s->last_analysis_date);
  EXPECT_EQ(results.size(), 60u);
  EXPECT_EQ(CountStats(results).malicious, 30);
  // Synthesised hashes are stable across loads.
  Catalogue again(kNow);
  ASSERT_TRUE(again.LoadJson(R"({"samples": [{"md5": ")" + kMd5 + R"("}]})", "t"));
  EXPECT_EQ(again.Find(kMd5)->sha256, s->sha256);
}

TEST(CatalogueTest, ExplicitResults) {
  Catalogue c(kNow);
  ASSERT_TRUE(c.LoadJson(R"([{"md5": ")" + kMd5 + R"(", "results": {"Kaspersky": "Virus.MSWord.Hill.c",
      "Avast": null, "Paloalto": {"category": "type-unsupported"}}}])", "t"));
  const auto results = GenerateResults(*c.Find(kMd5), kNow);
  ASSERT_EQ(results.size(), 3u);
  const Stats st = CountStats(results);
  EXPECT_EQ(st.malicious, 1);
  EXPECT_EQ(st.undetected, 1);
  EXPECT_EQ(st.type_unsupported, 1);
}

TEST(CatalogueTest, BrokenEntriesNameTheFileAndEntry) {
  Catalogue c(kNow);
  const std::vector<std::string> bads = {R"({"nothex": {}})", R"([{"md5": "xyz"}])", R"([{}])",
                                R"([{"md5": ")" + kMd5 + R"(", "positives": -1}])",
                                R"([{"md5": ")" + kMd5 + R"(", "type": "zip"}])",
                                R"([{"md5": ")" + kMd5 + R"(", "names": "x"}])",
                                R"([{"md5": ")" + kMd5 + R"(", "results": {"A": 3}}])",
                                R"({"samples": 3})", "42", "{not json"};
  for (const std::string& bad : bads) {
    auto st = c.LoadJson(bad, "bad.json");
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::kCorrupt) << bad;
    EXPECT_NE(st.error().message.find("bad.json"), std::string::npos);
  }
}

TEST(CatalogueTest, LoadsDirectoryAndReportsMissingPath) {
  honeyvt::testing::TempDir dir;
  honeyvt::testing::WriteFile(dir / "a.json", R"({")" + kMd5 + R"(": {}})");
  honeyvt::testing::WriteFile(dir / "b.json", R"({"samples": [{"sha256": ")" + std::string(64, 'a') + R"("}]})");
  honeyvt::testing::WriteFile(dir / "ignored.txt", "not json");
  Catalogue c(kNow);
  ASSERT_TRUE(c.LoadPath(dir.path()));
  EXPECT_TRUE(c.Find(kMd5));
  EXPECT_TRUE(c.Find(std::string(64, 'a')));
  EXPECT_EQ(c.size(), 3u);
  auto missing = c.LoadPath(dir / "nope.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace honeyvt::vtsim
