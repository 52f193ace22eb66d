#include "core/logging.h"

#include <gtest/gtest.h>

namespace honeyvt {
namespace {

TEST(LoggingTest, JournalStreamMatchesOnlyStderrsDeviceAndInode) {
  EXPECT_TRUE(IsJournalStream("8:12345", 8, 12345));
  EXPECT_TRUE(IsJournalStream("65025:1", 65025, 1));
  EXPECT_FALSE(IsJournalStream("8:12345", 8, 12346));  // stderr redirected elsewhere
  EXPECT_FALSE(IsJournalStream("9:12345", 8, 12345));
  EXPECT_FALSE(IsJournalStream("", 8, 12345));
  EXPECT_FALSE(IsJournalStream("8", 8, 12345));
  EXPECT_FALSE(IsJournalStream("8:x", 8, 12345));
  EXPECT_FALSE(IsJournalStream(":12345", 8, 12345));
}

TEST(LoggingTest, SyslogPrefixesFollowSdDaemon) {
  EXPECT_EQ(SyslogPrefix("critical"), "<2>");
  EXPECT_EQ(SyslogPrefix("error"), "<3>");
  EXPECT_EQ(SyslogPrefix("warning"), "<4>");
  EXPECT_EQ(SyslogPrefix("warn"), "<4>");
  EXPECT_EQ(SyslogPrefix("info"), "<6>");
  EXPECT_EQ(SyslogPrefix("debug"), "<7>");
  EXPECT_EQ(SyslogPrefix("trace"), "<7>");
}

}  // namespace
}  // namespace honeyvt
