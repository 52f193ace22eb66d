#include "domain/hash.h"

#include <gtest/gtest.h>

#include "domain/report.h"

namespace honeyvt::domain {
namespace {

TEST(HashTest, ParsesKindsAndLowercases) {
  auto h = Hash::Parse("3EAB379DDAC7D80D3E38399FD273DDD4");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->kind(), HashKind::kMd5);
  EXPECT_EQ(h->hex(), "3eab379ddac7d80d3e38399fd273ddd4");
  EXPECT_EQ(Hash::Parse(std::string(40, 'a'))->kind(), HashKind::kSha1);
  EXPECT_EQ(Hash::Parse(std::string(64, 'B'))->kind(), HashKind::kSha256);
}

TEST(HashTest, RejectsHostileNames) {
  for (const char* bad : {"", "../../etc/passwd", "3eab379ddac7d80d3e38399fd273ddd4.exe",
                          "3eab379ddac7d80d3e38399fd273ddd4\n", "3eab379ddac7d80d3e38399fd273ddg4",
                          "x'; DROP TABLE downloads; --"}) {
    auto h = Hash::Parse(bad);
    ASSERT_FALSE(h) << bad;
    EXPECT_EQ(h.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(Hash::Parse(std::string(64, 'a'), HashKind::kMd5));
}

TEST(FileReportTest, CountsJudgedAndDetectedEngines) {
  FileReport r;
  r.engines = {{"A", "A", "", "", "malicious", "X"},
               {"B", "B", "", "", "undetected", std::nullopt},
               {"C", "C", "", "", "type-unsupported", std::nullopt},
               {"D", "D", "", "", "suspicious", "Y"},
               {"E", "E", "", "", "harmless", std::nullopt}};
  EXPECT_EQ(r.Positives(), 2);
  EXPECT_EQ(r.Total(), 4);
}

}  // namespace
}  // namespace honeyvt::domain
