#include "store/pg/dsn.h"

#include <gtest/gtest.h>

namespace honeyvt::pg {
namespace {

TEST(DsnTest, RedactsThePasswordOfKeywordStringsAndUris) {
  const std::string kw = "host=db.example port=5433 user=sensor1 password=s3cr3t dbname=fleet";
  EXPECT_EQ(RedactDsn(kw).find("s3cr3t"), std::string::npos);
  EXPECT_NE(RedactDsn(kw).find("password=***"), std::string::npos);
  EXPECT_NE(RedactDsn(kw).find("host=db.example"), std::string::npos);
  const std::string uri = "postgresql://sensor1:s3cr3t@db.example:5433/fleet?sslmode=verify-full";
  const std::string red = RedactDsn(uri);
  EXPECT_EQ(red.find("s3cr3t"), std::string::npos) << red;
  EXPECT_NE(red.find("sslmode=verify-full"), std::string::npos) << red;
  EXPECT_TRUE(DsnHasPassword(kw));
  EXPECT_TRUE(DsnHasPassword(uri));
  EXPECT_FALSE(DsnHasPassword("host=db user=sensor1"));
}

TEST(DsnTest, ScrubsPasswordsFromAnyText) {
  EXPECT_EQ(ScrubSecrets("x password=abc y"), "x password=*** y");
  EXPECT_EQ(ScrubSecrets("password = 'a b\\'c' z"), "password = *** z");
  EXPECT_EQ(ScrubSecrets("postgres://u:pw@h/db"), "postgres://u:***@h/db");
  EXPECT_EQ(ScrubSecrets("postgres://u@h/db"), "postgres://u@h/db");
}

TEST(DsnTest, AnUnparsableDsnIsAClearErrorWithoutItsSecret) {
  auto st = ValidateDsn("host=db password=topsecret bogus_option=1");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message.find("bogus_option"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().message.find("topsecret"), std::string::npos);
  auto uri = ValidateDsn("postgresql://u:topsecret@[bad");
  ASSERT_FALSE(uri);
  EXPECT_EQ(uri.error().message.find("topsecret"), std::string::npos) << uri.error().message;
  EXPECT_EQ(RedactDsn("host=db bogus=1"), "(unparsable DSN)");
}

}  // namespace
}  // namespace honeyvt::pg
