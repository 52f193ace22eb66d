#include "tools/vtsim/verdict.h"

#include <set>

#include <gtest/gtest.h>

#include "core/digest.h"
#include "tools/vtsim/catalogue.h"
#include "tools/vtsim/engines.h"

namespace honeyvt::vtsim {
namespace {

constexpr std::int64_t kNow = 1767225600;  // 2026-01-01

TEST(EnginesTest, SeventyPlusDistinctEnginesWithFixtureNames) {
  std::set<std::string_view> keys;
  for (const Engine& e : AllEngines()) keys.insert(e.key);
  EXPECT_GE(keys.size(), 70u);
  EXPECT_EQ(keys.size(), AllEngines().size());
  for (auto name : {"Kaspersky", "Microsoft", "ESET-NOD32", "BitDefender", "ClamAV", "Lionic",
                    "MicroWorld-eScan", "Paloalto", "Trustlook"}) {
    EXPECT_TRUE(FindEngine(name)) << name;
  }
}

TEST(VerdictTest, SameSampleSameVerdictsEveryTime) {
  const Sample s = SampleForUpload("MZ\x90\x00 some bytes", "a.exe", kNow);
  const auto a = GenerateResults(s, kNow);
  const auto b = GenerateResults(s, kNow + 86400 * 3);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key, b[i].key);
    EXPECT_EQ(a[i].category, b[i].category);
    EXPECT_EQ(a[i].result, b[i].result);
  }
}

TEST(VerdictTest, UnknownUploadsAreMostlyDetectedSomeClean) {
  int clean = 0, detected = 0;
  std::set<std::string> kaspersky_names;
  for (int i = 0; i < 400; ++i) {
    const Sample s = SampleForUpload("MZ sample " + std::to_string(i), "", kNow);
    const auto results = GenerateResults(s, kNow);
    const Stats st = CountStats(results);
    EXPECT_EQ(st.malicious + st.undetected + st.type_unsupported, static_cast<int>(results.size()));
    if (st.malicious == 0) ++clean;
    if (st.malicious >= 20) ++detected;
    for (const auto& r : results) {
      if (r.key == "Kaspersky" && r.result) kaspersky_names.insert(*r.result);
      if (r.category == "malicious") {
        ASSERT_TRUE(r.result);
        EXPECT_FALSE(r.result->empty());
        EXPECT_EQ(r.result->find('{'), std::string::npos) << *r.result;
      } else {
        EXPECT_FALSE(r.result);
      }
    }
  }
  EXPECT_GT(clean, 20);
  EXPECT_LT(clean, 120);
  EXPECT_GT(detected, 240);
  EXPECT_GT(kaspersky_names.size(), 20u);
}

TEST(VerdictTest, PeOnlyEnginesSkipElfFiles) {
  const Sample s = SampleForUpload("\x7f" "ELF\x01\x01 mirai", "", kNow);
  EXPECT_EQ(s.kind, FileKind::kElf);
  for (const auto& r : GenerateResults(s, kNow)) {
    const Engine* e = FindEngine(r.key);
    ASSERT_TRUE(e);
    if (e->scope != EngineScope::kAll) {
      EXPECT_EQ(r.category, "type-unsupported") << r.key;
    }
  }
}

TEST(VerdictTest, EicarIsWidelyDetectedUnderItsOwnName) {
  const auto results = GenerateResults(EicarSample(kNow), kNow);
  const Stats st = CountStats(results);
  EXPECT_GE(st.malicious, 55);
  for (const auto& r : results) {
    if (r.key == "Microsoft") {
      EXPECT_EQ(r.result, "Virus:DOS/EICAR_Test_File");
    }
  }
}

TEST(VerdictTest, ProfilePositivesAndTotalAreHonoured) {
  Sample s = SampleForUpload("MZ whatever", "", kNow);
  s.positives = 12;
  s.total = 40;
  s.family = "WannaCry";
  const auto results = GenerateResults(s, kNow);
  EXPECT_EQ(results.size(), 40u);
  EXPECT_EQ(CountStats(results).malicious, 12);
  bool named = false;
  for (const auto& r : results) named |= r.result && r.result->find("WannaCry") != std::string::npos;
  EXPECT_TRUE(named);
}

}  // namespace
}  // namespace honeyvt::vtsim
