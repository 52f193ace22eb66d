#include "core/digest.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace honeyvt {
namespace {

TEST(DigestTest, KnownVectors) {
  // The 1-byte file "\n" of the VirusTotal fixtures.
  ContentDigests d = DigestBytes("\n");
  EXPECT_EQ(d.md5, "68b329da9893e34099c7d8ad5cb9c940");
  EXPECT_EQ(d.sha256, "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b");
  EXPECT_EQ(d.sha1, "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc");
  EXPECT_EQ(d.size, 1);
}

TEST(DigestTest, FileMatchesBytesAndErrorsAreTyped) {
  testing::TempDir dir;
  std::string content(200000, 'x');
  testing::WriteFile(dir / "f", content);
  auto f = DigestFile(dir / "f");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->sha256, DigestBytes(content).sha256);
  EXPECT_EQ(f->size, 200000);
  EXPECT_EQ(DigestFile(dir / "missing").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(DigestFile(dir.path()).error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace honeyvt
