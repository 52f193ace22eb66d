#include "core/open_beneath.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/testing.h"

namespace honeyvt {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFile;

using Opener = Result<UniqueFd> (*)(const fs::path&, const fs::path&);

// Both the openat2 path and the component-by-component fallback keep the same rule.
class OpenBeneathTest : public ::testing::TestWithParam<Opener> {
 protected:
  void SetUp() override {
    fs::create_directories(root_ / "sub" / "deeper");
    WriteFile(root_ / "sub" / "deeper" / "file", "inside");
    WriteFile(dir_ / "secret", "outside");
    fs::create_directories(dir_ / "elsewhere");
    WriteFile(dir_ / "elsewhere" / "file", "outside");
  }
  Result<UniqueFd> Open(const fs::path& p) { return GetParam()(root_, p); }
  TempDir dir_;
  fs::path root_ = dir_ / "root";
};

TEST_P(OpenBeneathTest, OpensRegularFilesBelowTheRoot) {
  auto fd = Open(root_ / "sub" / "deeper" / "file");
  ASSERT_TRUE(fd) << fd.error().message;
  char buf[16] = {};
  EXPECT_EQ(::read(fd->get(), buf, sizeof buf), 6);
  EXPECT_STREQ(buf, "inside");
}

TEST_P(OpenBeneathTest, NoSymbolicLinkAnywhereBelowTheRoot) {
  fs::create_symlink(dir_ / "secret", root_ / "link");
  fs::create_symlink(root_ / "sub" / "deeper" / "file", root_ / "inner-link");  // even inside
  fs::create_directory_symlink(dir_ / "elsewhere", root_ / "sub" / "dirlink");
  for (const fs::path& p :
       {root_ / "link", root_ / "inner-link", root_ / "sub" / "dirlink" / "file"}) {
    auto fd = Open(p);
    ASSERT_FALSE(fd) << p;
    EXPECT_EQ(fd.error().code, ErrorCode::kForbidden) << p << ": " << fd.error().message;
    EXPECT_NE(fd.error().message.find(p.string()), std::string::npos);
  }
}

TEST_P(OpenBeneathTest, NothingOutsideTheRoot) {
  for (const fs::path& p : {dir_ / "secret", root_ / ".." / "secret", root_, fs::path("rel"),
                            root_ / "sub" / ".." / ".." / "secret", fs::path("/etc/passwd")}) {
    auto fd = Open(p);
    ASSERT_FALSE(fd) << p;
    EXPECT_EQ(fd.error().code, ErrorCode::kForbidden) << p;
  }
}

TEST_P(OpenBeneathTest, MissingIsNotFoundAndAFifoDoesNotBlock) {
  auto missing = Open(root_ / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0600), 0);
  auto fifo = Open(root_ / "fifo");  // O_NONBLOCK: returns at once; the caller checks the type
  ASSERT_TRUE(fifo);
  struct stat st {};
  ASSERT_EQ(::fstat(fifo->get(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_P(OpenBeneathTest, TheRootItselfMayBeALink) {
  fs::create_directory_symlink(root_, dir_ / "configured");
  auto fd = GetParam()(dir_ / "configured", dir_ / "configured" / "sub" / "deeper" / "file");
  EXPECT_TRUE(fd) << fd.error().message;
}

INSTANTIATE_TEST_SUITE_P(Openat2AndFallback, OpenBeneathTest,
                         ::testing::Values(&OpenBeneath, &OpenBeneathByComponents));

}  // namespace
}  // namespace honeyvt
