#include "ingest/sample_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/testing.h"

namespace honeyvt::ingest {
namespace {
namespace fs = std::filesystem;
using honeyvt::testing::TempDir;
using honeyvt::testing::WriteFile;

TEST(SamplePathTest, HostileMd5StringsNeverBecomePaths) {
  for (const char* bad :
       {"../../etc/passwd", "0123456789abcdef0123456789abcde/", "0123456789abcdef\n123456789abcdef",
        "", "..", "0123456789abcdef0123456789abcdeg"}) {
    EXPECT_FALSE(domain::Hash::Parse(bad, domain::HashKind::kMd5)) << bad;
  }
  auto h = domain::Hash::Parse("0123456789ABCDEF0123456789abcdef", domain::HashKind::kMd5);
  ASSERT_TRUE(h);
  EXPECT_EQ(SamplePath("/bin/d", *h), fs::path("/bin/d/0123456789abcdef0123456789abcdef"));
}

TEST(ResolveInsideTest, AcceptsRegularFilesAndInnerSymlinks) {
  TempDir dir;
  WriteFile(dir / "a", "x");
  fs::create_symlink(dir / "a", dir / "link");
  auto direct = ResolveInside(dir.path(), dir / "a");
  ASSERT_TRUE(direct) << direct.error().message;
  auto via_link = ResolveInside(dir.path(), dir / "link");
  ASSERT_TRUE(via_link);
  EXPECT_EQ(*via_link, fs::canonical(dir / "a"));
}

TEST(ResolveInsideTest, RefusesSymlinksLeavingTheDirectory) {
  TempDir outside, dir;
  WriteFile(outside / "secret", "s");
  fs::create_symlink(outside / "secret", dir / "evil");
  fs::create_symlink("/etc/passwd", dir / "passwd");
  fs::create_symlink("..", dir / "up");
  for (const char* name : {"evil", "passwd"}) {
    auto r = ResolveInside(dir.path(), dir / name);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kForbidden) << name;
  }
  auto dotdot = ResolveInside(dir.path(), dir.path() / ".." / outside.path().filename() / "secret");
  ASSERT_FALSE(dotdot);
  EXPECT_EQ(dotdot.error().code, ErrorCode::kForbidden);
  auto up = ResolveInside(dir.path(), dir / "up");
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, ErrorCode::kForbidden);
}

TEST(ResolveInsideTest, MissingDanglingDirectoriesAndFifos) {
  TempDir dir;
  fs::create_symlink(dir / "nothing", dir / "dangling");
  fs::create_directory(dir / "sub");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(ResolveInside(dir.path(), dir / "missing").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ResolveInside(dir.path(), dir / "dangling").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ResolveInside(dir.path(), dir / "sub").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(ResolveInside(dir.path(), dir / "fifo").error().code, ErrorCode::kForbidden);
  EXPECT_EQ(ResolveInside(dir / "no-such-dir", dir / "x").error().code, ErrorCode::kNotFound);
}

TEST(HashSampleTest, IdentityIsTheContentNotTheName) {
  TempDir dir;
  // A cowrie-style sha256 name that lies about the content, and a name with a newline.
  const std::string liar = std::string(64, 'a');
  WriteFile(dir / liar, "EICAR-like harmless bytes");
  WriteFile(dir / "we\nird", "EICAR-like harmless bytes");
  const ContentDigests want = DigestBytes("EICAR-like harmless bytes");
  for (const std::string& name : {liar, std::string("we\nird")}) {
    auto s = HashSample(dir.path(), dir / name);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->md5.hex(), want.md5);
    EXPECT_EQ(s->sha1.hex(), want.sha1);
    EXPECT_EQ(s->sha256.hex(), want.sha256);
    EXPECT_EQ(s->size, want.size);
  }
}

TEST(HashSampleTest, UnreadableFileIsAnIoErrorNotACrash) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads everything";
  TempDir dir;
  WriteFile(dir / "locked", "data");
  fs::permissions(dir / "locked", fs::perms::none);
  auto s = HashSample(dir.path(), dir / "locked");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find("locked"), std::string::npos);
}

TEST(HashSampleTest, RefusesOutsideSymlink) {
  TempDir outside, dir;
  WriteFile(outside / "f", "data");
  fs::create_symlink(outside / "f", dir / "f");
  auto s = HashSample(dir.path(), dir / "f");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kForbidden);
}

TEST(PrintableTest, EscapesControlCharacters) {
  EXPECT_EQ(Printable("a\nb\x1b[31m\\"), "a\\nb\\x1b[31m\\\\");
  EXPECT_EQ(Printable(std::string(500, 'x')).size(), 203u);
}

}  // namespace
}  // namespace honeyvt::ingest
