#include "vt/file_body.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/testing.h"
#include "vt/fake_transport.h"

namespace honeyvt::vt {
namespace {

using honeyvt::testing::TempDir;
using honeyvt::testing::WriteFile;

FileBody Open(const std::filesystem::path& file, const std::string& checked_content) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_TRUE(fd.valid());
  const auto d = DigestBytes(checked_content);
  return FileBody(std::move(fd), d.size, d.sha256, file.string());
}

TEST(FileBodyTest, StreamsTheCheckedContentAgainAfterARewind) {
  TempDir dir;
  const std::string content(200000, 'x');
  WriteFile(dir / "f", content);
  FileBody body = Open(dir / "f", content);
  EXPECT_EQ(body.size(), 200000);
  EXPECT_EQ(BodyText(body), content);
  EXPECT_EQ(BodyText(body), content);  // BodyText rewinds first: verified again
}

TEST(FileBodyTest, ATruncatedFileFailsInsteadOfSendingLess) {
  TempDir dir;
  WriteFile(dir / "f", "0123456789");
  FileBody body = Open(dir / "f", "0123456789");
  WriteFile(dir / "f", "01234");
  char buf[64];
  auto r = body.Read(buf, sizeof buf);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 5u);
  auto shrank = body.Read(buf, sizeof buf);
  ASSERT_FALSE(shrank);
  EXPECT_NE(shrank.error().message.find("shrank"), std::string::npos);
}

TEST(FileBodyTest, TheLastChunkIsWithheldWhenTheContentIsNotTheCheckedOne) {
  TempDir dir;
  WriteFile(dir / "f", "abcdefgh");
  FileBody body = Open(dir / "f", "abcdefgX");
  char buf[4];
  auto first = body.Read(buf, sizeof buf);  // "abcd": not known to differ yet
  ASSERT_TRUE(first);
  auto last = body.Read(buf, sizeof buf);  // "efgh" would complete the wrong file
  ASSERT_FALSE(last);
  EXPECT_NE(last.error().message.find("changed while it was being sent"), std::string::npos);
}

}  // namespace
}  // namespace honeyvt::vt
