#include "core/options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

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
  std::filesystem::permissions(
      dir / "key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  Options p;
  p.api_key_file = dir / "key";
  ASSERT_TRUE(ResolveApiKey(p));
  EXPECT_EQ(p.api_key.Reveal(), "k2");

  Options q;
  q.api_key_file = dir / "missing";
  EXPECT_FALSE(ResolveApiKey(q));
}

// An api_key_file that group or others can read was accepted silently.
TEST(OptionsTest, KeyFileReadableByGroupOrOthersIsRefusedNamingFileAndMode) {
  TempDir dir;
  const auto key = dir / "apikey";
  WriteFile(key, "k3\n");
  using P = std::filesystem::perms;
  for (P mode : {P::owner_read | P::owner_write | P::group_read | P::others_read,
                 P::owner_read | P::group_read, P::owner_read | P::others_read}) {
    std::filesystem::permissions(key, mode);
    Options o;
    o.api_key_file = key;
    auto st = ResolveApiKey(o);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(st.error().message.find(key.string()), std::string::npos) << st.error().message;
    char shown[8];
    std::snprintf(shown, sizeof shown, "%04o", static_cast<unsigned>(mode));
    EXPECT_NE(st.error().message.find(std::string("mode ") + shown), std::string::npos)
        << st.error().message;
    EXPECT_EQ(st.error().message.find("k3"), std::string::npos);
    EXPECT_TRUE(o.api_key.empty());
    ASSERT_TRUE(ApplySetting(o, "api_key_file_insecure_ok", "true", SettingSource{"--set"}));
    ASSERT_TRUE(ResolveApiKey(o));
    EXPECT_EQ(o.api_key.Reveal(), "k3");
  }
  for (P mode : {P::owner_read, P::owner_read | P::owner_write | P::group_write}) {
    std::filesystem::permissions(key, mode);
    Options o;
    o.api_key_file = key;
    ASSERT_TRUE(ResolveApiKey(o));
    EXPECT_EQ(o.api_key.Reveal(), "k3");
  }
}

// HONEYVT_API_KEY stayed in the environment (and in /proc/PID/environ) for the whole run.
TEST(OptionsTest, ApiKeyLeavesTheEnvironmentOnceRead) {
  ASSERT_EQ(::setenv("HONEYVT_API_KEY", "env-secret", 1), 0);
  char* value = std::getenv("HONEYVT_API_KEY");
  ASSERT_NE(value, nullptr);
  Options o;
  ASSERT_TRUE(ApplyEnvironment(o, ProcessEnvironment()));
  EXPECT_EQ(o.api_key.Reveal(), "env-secret");
  ForgetApiKeyEnvironment();
  EXPECT_EQ(std::getenv("HONEYVT_API_KEY"), nullptr);
  EXPECT_EQ(value[0], '\0') << "the bytes of the value are overwritten in place";
  EXPECT_EQ(ProcessEnvironment().count("HONEYVT_API_KEY"), 0u);
}

TEST(OptionsTest, WatchFoldersWithTheirOwnPolicy) {
  TempDir dir;
  WriteFile(dir / "c.toml",
            "upload = \"always\"\n"
            "[[watch]]\npath = \"/data/partner\"\nupload = \"never\"\ncomment = false\n"
            "[[watch]]\npath = \"/data/cowrie\"\n"
            "[[watch]]\npath = \"/data/quiet\"\ncomment = false\n");
  Options o;
  ASSERT_TRUE(LoadConfigFile(o, dir / "c.toml"));
  EXPECT_EQ(o.watch,
            (std::vector<std::filesystem::path>{"/data/partner", "/data/cowrie", "/data/quiet"}));
  ASSERT_EQ(o.folder_policy.size(), 2u);
  EXPECT_EQ(o.folder_policy[0].folder, "/data/partner");
  EXPECT_EQ(o.folder_policy[0].upload, UploadPolicy::kNever);
  EXPECT_EQ(o.folder_policy[0].comment, false);
  EXPECT_EQ(o.folder_policy[1].folder, "/data/quiet");
  EXPECT_FALSE(o.folder_policy[1].upload.has_value());
  EXPECT_EQ(o.folder_policy[1].comment, false);

  // The plain list keeps working, also mixed with inline tables.
  WriteFile(dir / "plain.toml", "watch = [\"/a\", {path = \"/b\", upload = \"never\"}]\n");
  Options p;
  ASSERT_TRUE(LoadConfigFile(p, dir / "plain.toml"));
  EXPECT_EQ(p.watch, (std::vector<std::filesystem::path>{"/a", "/b"}));
  ASSERT_EQ(p.folder_policy.size(), 1u);
  EXPECT_EQ(p.folder_policy[0].folder, "/b");
  // --set / environment: a plain list that replaces the file's.
  ASSERT_TRUE(ApplySetting(p, "watch", "/c,/d", SettingSource{"--set"}));
  EXPECT_EQ(p.watch, (std::vector<std::filesystem::path>{"/c", "/d"}));
  EXPECT_TRUE(p.folder_policy.empty());
}

TEST(OptionsTest, BadWatchTablesNameTheKeyAndLine) {
  TempDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {"[[watch]]\nupload = \"never\"\n", "needs a path"},
      {"[[watch]]\npath = \"/p\"\nupload = \"sometimes\"\n", "watch.upload"},
      {"[[watch]]\npath = \"/p\"\ncomment = \"no\"\n", "watch.comment"},
      {"[[watch]]\npath = \"/p\"\nupload_size = 3\n", "unknown key 'watch.upload_size'"},
      {"watch = [1]\n", "'watch' items"},
  };
  for (const auto& [text, want] : cases) {
    WriteFile(dir / "w.toml", text);
    Options o;
    auto st = LoadConfigFile(o, dir / "w.toml");
    ASSERT_FALSE(st) << text;
    EXPECT_NE(st.error().message.find(want), std::string::npos) << st.error().message;
    EXPECT_NE(st.error().message.find("w.toml:"), std::string::npos) << st.error().message;
  }
}

TEST(OptionsTest, QuotaErrorsAreTheParsersMessages) {
  Options o;
  auto st = ApplySetting(o, "quota", "4/1m,10/200000d", SettingSource{"--set"});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("--set: 'quota': quota window '10/200000d': the window may "
                                    "be at most 100 years"),
            std::string::npos)
      << st.error().message;
  ASSERT_TRUE(ApplySetting(o, "quota", "4/m, 500/d", SettingSource{"--set"}));
  EXPECT_EQ(o.quota, (std::vector<std::string>{"4/m", "500/d"}));
}

TEST(OptionsTest, UnknownEnvironmentKeyIsAnError) {
  Options o;
  auto st = ApplyEnvironment(o, {{"HONEYVT_NOPE", "1"}});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("HONEYVT_NOPE"), std::string::npos);
}

}  // namespace
}  // namespace honeyvt
