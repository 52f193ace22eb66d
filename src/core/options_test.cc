#include "core/options.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace honeyvt {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(OptionsTest, DefaultsArePublicApiQuota) {
  Options o;
  EXPECT_EQ(o.api_version, 3);
  EXPECT_EQ(o.quota, (std::vector<std::string>{"4/1m", "500/1d", "15500/1mo"}));
  EXPECT_EQ(o.StatePath(), "/opt/dionaea/var/lib/dionaea/honeyvt-state.sqlite");
}

TEST(OptionsTest, FileThenEnvThenFlagPrecedence) {
  TempDir dir;
  WriteFile(dir / "c.toml",
            "logsql = \"/from/file.sqlite\"\napi_version = 2\nquota = [\"20/5m\"]\n"
            "comment_delay = \"2m\"\nmax_upload_size = \"32MiB\"\n");
  Options o;
  ASSERT_TRUE(LoadConfigFile(o, dir / "c.toml"));
  EXPECT_EQ(o.logsql, "/from/file.sqlite");
  EXPECT_EQ(o.api_version, 2);
  EXPECT_EQ(o.quota, std::vector<std::string>{"20/5m"});
  EXPECT_EQ(o.comment_delay, std::chrono::seconds(120));
  EXPECT_EQ(o.max_upload_size, 32 * 1024 * 1024);
  ASSERT_TRUE(ApplyEnvironment(o, {{"HONEYVT_API_VERSION", "3"}, {"PATH", "/bin"}}));
  EXPECT_EQ(o.api_version, 3);
  EXPECT_EQ(o.logsql, "/from/file.sqlite");
  ASSERT_TRUE(ApplySetting(o, "logsql", "/from/flag.sqlite", SettingSource{"--logsql"}));
  EXPECT_EQ(o.logsql, "/from/flag.sqlite");
}

TEST(OptionsTest, FollowerTimingsHaveDefaultsAndKeys) {
  Options o;
  EXPECT_EQ(o.follow_poll_interval, std::chrono::seconds(2));
  EXPECT_EQ(o.follow_file_grace, std::chrono::seconds(600));
  EXPECT_EQ(o.follow_rescan_interval, std::chrono::seconds(300));
  TempDir dir;
  WriteFile(dir / "c.toml",
            "follow_poll_interval = \"5s\"\nfollow_file_grace = \"30m\"\n"
            "follow_rescan_interval = 60\n");
  ASSERT_TRUE(LoadConfigFile(o, dir / "c.toml"));
  EXPECT_EQ(o.follow_poll_interval, std::chrono::seconds(5));
  EXPECT_EQ(o.follow_file_grace, std::chrono::seconds(1800));
  EXPECT_EQ(o.follow_rescan_interval, std::chrono::seconds(60));
  ASSERT_TRUE(ApplyEnvironment(o, {{"HONEYVT_FOLLOW_FILE_GRACE", "0"}}));
  EXPECT_EQ(o.follow_file_grace, std::chrono::seconds(0));  // no wait: hash-only at once
  // An interval of zero would spin.
  EXPECT_FALSE(ApplySetting(o, "follow_poll_interval", "0", SettingSource{"--set"}));
  EXPECT_FALSE(ApplySetting(o, "follow_rescan_interval", "0s", SettingSource{"--set"}));
  EXPECT_FALSE(ApplySetting(o, "follow_poll_interval", "soon", SettingSource{"--set"}));
}

TEST(OptionsTest, UnknownKeyIsRejectedWithKeyAndLine) {
  TempDir dir;
  WriteFile(dir / "c.toml", "logsql = \"/x\"\n\nbogus_key = 1\n");
  Options o;
  auto st = LoadConfigFile(o, dir / "c.toml");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("bogus_key"), std::string::npos);
  EXPECT_NE(st.error().message.find("c.toml:3"), std::string::npos);
}

TEST(OptionsTest, MalformedValueIsRejectedWithKeyAndLine) {
  TempDir dir;
  WriteFile(dir / "c.toml", "api_version = 7\n");
  Options o;
  auto st = LoadConfigFile(o, dir / "c.toml");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("api_version"), std::string::npos);
  EXPECT_NE(st.error().message.find(":1"), std::string::npos);

  WriteFile(dir / "q.toml", "# comment\nquota = [\"4/1m\", \"lots\"]\n");
  st = LoadConfigFile(o, dir / "q.toml");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("q.toml:2"), std::string::npos);
  EXPECT_NE(st.error().message.find("quota"), std::string::npos);
}

TEST(OptionsTest, TomlSyntaxErrorNamesLine) {
  TempDir dir;
  WriteFile(dir / "c.toml", "logsql = \"/x\"\nthis is not toml\n");
  Options o;
  auto st = LoadConfigFile(o, dir / "c.toml");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("c.toml:2"), std::string::npos);
}

TEST(OptionsTest, ApiKeyNeverFromConfigFileOrFlag) {
  TempDir dir;
  WriteFile(dir / "c.toml", "api_key = \"s3cret\"\n");
  Options o;
  auto st = LoadConfigFile(o, dir / "c.toml");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message.find("s3cret"), std::string::npos);
  EXPECT_FALSE(ApplySetting(o, "api_key", "s3cret", SettingSource{"--set"}));
}

TEST(OptionsTest, ApiKeyFromEnvironmentOrFile) {
  Options o;
  ASSERT_TRUE(ApplyEnvironment(o, {{"HONEYVT_API_KEY", " k1 "}}));
  EXPECT_EQ(o.api_key.Reveal(), "k1");

  TempDir dir;
  WriteFile(dir / "key", "k2\n");
  Options p;
  p.api_key_file = dir / "key";
  ASSERT_TRUE(ResolveApiKey(p));
  EXPECT_EQ(p.api_key.Reveal(), "k2");

  Options q;
  q.api_key_file = dir / "missing";
  EXPECT_FALSE(ResolveApiKey(q));
}

TEST(OptionsTest, UnknownEnvironmentKeyIsAnError) {
  Options o;
  auto st = ApplyEnvironment(o, {{"HONEYVT_NOPE", "1"}});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("HONEYVT_NOPE"), std::string::npos);
}

}  // namespace
}  // namespace honeyvt
