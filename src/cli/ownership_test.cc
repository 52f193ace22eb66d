#include "cli/ownership.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/testing.h"

namespace honeyvt::cli {
namespace {

namespace fs = std::filesystem;
using honeyvt::testing::TempDir;

constexpr uid_t kOther = 65534;  // "nobody" on Debian

// Gives `path` to kOther (as root), or leaves it to the non-root user running the tests
// (who is "another user" for a simulated root: euid 0 below).
void GiveAway(const fs::path& path) {
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(path.c_str(), kOther, kOther), 0);
  }
}

uid_t OwnerUid() { return ::geteuid() == 0 ? kOther : ::geteuid(); }

TEST(OwnershipTest, RootIsRefusedADatabaseAnotherUserOwns) {
  TempDir dir;
  const fs::path state = dir / "state.sqlite";
  honeyvt::testing::WriteFile(state, "");
  GiveAway(state);
  Status st = CheckStateOwner(state, 0, "honeyvt enqueue", {"--state", state.string(), "x y"});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kForbidden);
  const std::string& m = st.error().message;
  EXPECT_NE(m.find("uid " + std::to_string(OwnerUid())), std::string::npos) << m;
  EXPECT_NE(m.find("sudo -u "), std::string::npos) << m;
  EXPECT_NE(m.find(" honeyvt enqueue --state " + state.string() + " 'x y'"), std::string::npos)
      << m;
  // The owner itself, and root on its own files, go ahead.
  EXPECT_TRUE(CheckStateOwner(state, OwnerUid(), "honeyvt enqueue", {}));
}

TEST(OwnershipTest, RootIsRefusedCreatingADatabaseInAnotherUsersFolder) {
  TempDir dir;
  const fs::path folder = dir / "honeyvt";
  fs::create_directory(folder);
  GiveAway(folder);
  Status st = CheckStateOwner(folder / "state.sqlite", 0, "honeyvt backlog", {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("the folder " + folder.string()), std::string::npos)
      << st.error().message;
  EXPECT_FALSE(fs::exists(folder / "state.sqlite"));
}

TEST(OwnershipTest, RootsOwnFilesAndOtherUsersAreNotChecked) {
  TempDir dir;
  const fs::path state = dir / "state.sqlite";
  if (::geteuid() == 0) {
    honeyvt::testing::WriteFile(state, "");
    EXPECT_TRUE(CheckStateOwner(state, 0, "honeyvt enqueue", {}));  // root's own file
    EXPECT_TRUE(CheckStateOwner(dir / "new.sqlite", 0, "honeyvt enqueue", {}));
  }
  EXPECT_TRUE(CheckStateOwner(state, 1000, "honeyvt enqueue", {}));  // not root: no check
}

TEST(OwnershipTest, ShellQuoting) {
  EXPECT_EQ(ShellQuote("/var/lib/honeyvt/state.sqlite"), "/var/lib/honeyvt/state.sqlite");
  EXPECT_EQ(ShellQuote("--set=quota=4/1m,500/1d"), "--set=quota=4/1m,500/1d");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("$(rm -rf /)"), "'$(rm -rf /)'");
}

}  // namespace
}  // namespace honeyvt::cli
