#include "core/options_view.h"

#include <gtest/gtest.h>

namespace honeyvt {
namespace {

TEST(OptionValuesTest, EveryKeyHasAValueAndNoSecretIsShown) {
  Options o;
  o.api_key = Secret("0123456789abcdef-not-a-real-key");
  o.proxy = "http://user:hunter2@proxy.example:3128/";
  o.fleet_dsn = "host=db.example dbname=honeyvt user=s1 password='hun\\'ter2' sslmode=require";
  const auto values = OptionValues(o);
  ASSERT_EQ(values.size(), ConfigKeys().size() + 1);
  for (const auto& [key, value] : values) {
    EXPECT_NE(value, "(not shown)") << key << " has no line in options_view.cc";
    EXPECT_EQ(value.find("0123456789abcdef"), std::string::npos) << key;
    EXPECT_EQ(value.find("hunter2"), std::string::npos) << key;
  }
  EXPECT_EQ(values.back(), (std::pair<std::string, std::string>("api_key", "set")));
}

TEST(OptionValuesTest, PasswordsLeaveDsns) {
  EXPECT_EQ(DsnWithoutPassword("host=h password=pw user=u"), "host=h password=<redacted> user=u");
  EXPECT_EQ(DsnWithoutPassword("password = 'a b\\'c' host=h"), "password = <redacted> host=h");
  EXPECT_EQ(DsnWithoutPassword("host=h passwordx"), "host=h passwordx");
  EXPECT_EQ(DsnWithoutPassword("postgresql://u:pw@h/db"), "postgresql://<redacted>@h/db");
  EXPECT_EQ(DsnWithoutPassword(""), "");
}

TEST(OptionValuesTest, CredentialsLeaveUrls) {
  EXPECT_EQ(WithoutCredentials("http://u:p@h:1/x"), "http://<redacted>@h:1/x");
  EXPECT_EQ(WithoutCredentials("http://h:1/x@y"), "http://h:1/x@y");
  EXPECT_EQ(WithoutCredentials("socks5://h"), "socks5://h");
  EXPECT_EQ(WithoutCredentials(""), "");
}

}  // namespace
}  // namespace honeyvt
