// Hostile databases: attacker strings, parent cycles, very deep chains, old eras,
// and a reader that goes away.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/testing.h"
#include "store/logsql_testing.h"
#include "tree/source.h"
#include "tree/tree_test_util.h"

namespace honeyvt::tree {
namespace {

using honeyvt::testing::TempDir;
using testing::Exec;
using testing::RunToString;

constexpr const char* kConn =
    "INSERT INTO connections (connection, connection_type, connection_transport, "
    "connection_protocol, connection_timestamp, connection_root, connection_parent, "
    "local_host, local_port, remote_host, remote_hostname, remote_port) VALUES ";

TEST(TreeSafetyTest, HostileStringsAreEscapedUnlessRaw) {
  TempDir dir;
  const auto db = dir / "h.sqlite";
  store::testing::BuildFixtureDatabase(db, {});
  Exec(db, std::string(kConn) +
               "(1,'accept','tcp','httpd',0,1,NULL,'192.0.2.1',80,"
               "char(27)||']0;owned'||char(7)||char(27)||'[2J','',1);"
               "INSERT INTO logins (connection, login_username, login_password) VALUES "
               "(1, 'r'||char(27)||'[31moot', 'pa'||char(10)||'ss');"
               "INSERT INTO offers (connection, offer_url) VALUES "
               "(1, 'http://x/'||char(155)||'31m'), (1, CAST(x'ff41' AS TEXT)), "
               "(1, 'http://bücher.example/ü');");
  const std::string safe = RunToString(db, {});
  EXPECT_NE(safe.find("<- \\x1b]0;owned\\x07\\x1b[2J:1 (1 None)\n"), std::string::npos) << safe;
  EXPECT_NE(safe.find("login - user:'r\\x1b[31moot' password:'pa\\x0ass'\n"), std::string::npos);
  EXPECT_NE(safe.find("offer: http://x/\\xc2\\x9b31m\n"), std::string::npos);
  EXPECT_NE(safe.find("offer: \\xffA\n"), std::string::npos);
  EXPECT_NE(safe.find("offer: http://bücher.example/ü\n"), std::string::npos);
  for (char c : safe) {
    const auto b = static_cast<unsigned char>(c);
    EXPECT_TRUE(b == '\n' || (b >= 0x20 && b != 0x7f)) << "raw control byte " << int{b};
  }
  TreeOptions raw;
  raw.raw = true;
  const std::string unsafe = RunToString(db, raw);
  EXPECT_NE(unsafe.find("user:'r\x1b[31moot' password:'pa\nss'"), std::string::npos);
}

TEST(TreeSafetyTest, ParentCyclesAndSelfParentsPrintEachConnectionOnce) {
  TempDir dir;
  const auto db = dir / "c.sqlite";
  store::testing::BuildFixtureDatabase(db, {});
  Exec(db, std::string(kConn) +
               "(100,'accept','tcp','a',0,100,101,'h',1,'r','',2),"
               "(101,'accept','tcp','b',0,100,100,'h',1,'r','',2),"
               "(200,'accept','tcp','c',0,200,202,'h',1,'r','',2),"
               "(201,'accept','tcp','d',0,200,200,'h',1,'r','',2),"
               "(202,'accept','tcp','e',0,200,201,'h',1,'r','',2),"
               "(300,'accept','tcp','f',0,300,300,'h',1,'r','',2);");
  const std::string out = RunToString(db, {});
  EXPECT_EQ(out,
            "using database located at c.sqlite\n"
            "1970-01-01 00:00:00\n"
            "  connection 100 a tcp accept h:1 <- r:2 (100 101)\n"
            "    connection 101 b tcp accept h:1 <- r:2 (100 100)\n"
            "1970-01-01 00:00:00\n"
            "  connection 200 c tcp accept h:1 <- r:2 (200 202)\n"
            "    connection 201 d tcp accept h:1 <- r:2 (200 200)\n"
            "      connection 202 e tcp accept h:1 <- r:2 (200 201)\n"
            "1970-01-01 00:00:00\n"
            "  connection 300 f tcp accept h:1 <- r:2 (300 300)\n");
}

// Counts output without materialising deep indentation.
class CountingSink final : public Sink {
 public:
  void Write(std::string_view bytes) override {
    bytes_ += bytes.size();
    for (char c : bytes) lines_ += c == '\n';
  }
  void Spaces(std::size_t n) override { bytes_ += n; }
  std::size_t bytes_ = 0, lines_ = 0;
};

TEST(TreeSafetyTest, HundredThousandDeepChainDoesNotRecurse) {
  TempDir dir;
  const auto db = dir / "deep.sqlite";
  store::testing::BuildFixtureDatabase(db, {});
  Exec(db,
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
       "INSERT INTO connections (connection, connection_type, connection_transport, "
       "connection_protocol, connection_timestamp, connection_root, connection_parent, "
       "local_host, local_port, remote_host, remote_hostname, remote_port) "
       "SELECT i, 'listen', 'tcp', 'x', 0, 1, CASE WHEN i = 1 THEN NULL ELSE i - 1 END, "
       "'h', 1, '', '', 0 FROM n;");
  auto opened = store::Database::Open(db, {});
  ASSERT_TRUE(opened.has_value());
  CountingSink sink;
  TreeOptions o;
  o.db_label = "deep.sqlite";
  ASSERT_TRUE(RunTree(*opened, o, sink).has_value());
  EXPECT_EQ(sink.lines_, 2u + 100000u);
  // Indentation alone is sum over d of (2d + 2) for d < 100000.
  EXPECT_GT(sink.bytes_, 10000100000u);
}

// Enough SIP commands for the fast SIP path: parts in command order (read through the
// shared rowid maps), in reverse order or with a non-integer key (indexed TEMP copies),
// with NULL-keyed strays. Every command shows exactly its own parts either way.
TEST(TreeSafetyTest, ManySipCommandsReadFastWithSameOutputWhateverThePartsOrder) {
  enum class Order { kCommand, kReverse, kJunkKey };
  for (Order order : {Order::kCommand, Order::kReverse, Order::kJunkKey}) {
    TempDir dir;
    const auto db = dir / "sip.sqlite";
    store::testing::BuildFixtureDatabase(db, {});
    std::string sql;
    std::vector<std::string> vias;
    const int n = static_cast<int>(TreeSource::kDirectSipLookups) + 300;
    for (int i = 1; i <= n; ++i) {
      const std::string id = std::to_string(i);
      sql += std::string(kConn) + "(" + id + ",'accept','udp','SipSession',0," + id +
             ",NULL,'h',5060,'r','',5070);"
             "INSERT INTO sip_commands (sip_command, connection, sip_command_method) VALUES (" +
             id + "," + id + ",'INVITE');";
      vias.push_back(
          "INSERT INTO sip_vias (sip_command, sip_via_protocol, sip_via_address, sip_via_port) "
          "VALUES (" +
          id + ",'UDP','10.0.0." + id + "',5060);");
      if (i % 50 == 0) {
        vias.push_back("INSERT INTO sip_vias (sip_command, sip_via_address) VALUES (NULL,'x');");
      }
    }
    if (order == Order::kReverse) std::reverse(vias.begin(), vias.end());
    if (order == Order::kJunkKey) {
      vias.push_back("INSERT INTO sip_vias (sip_command, sip_via_address) VALUES ('j','y');");
    }
    for (const auto& v : vias) sql += v;
    Exec(db, sql);
    const std::string out = RunToString(db, {});
    // Small pages: both loader threads ask for the shared maps at once, on their own
    // connections; the output must not change.
    TreeOptions paged;
    paged.page_size = 40;
    EXPECT_EQ(RunToString(db, paged), out);
    for (int i = 1; i <= n; ++i) {
      const std::string id = std::to_string(i);
      // The command's block, then the next tree (or the end): no part of another command.
      const std::string block = "  connection " + id + " SipSession udp accept h:5060 <- r:5070 (" +
                                id +
                                " None)\n   Method:INVITE\n   Call-ID:None\n   User-Agent:None\n"
                                "     via:'UDP/10.0.0." +
                                id + ":5060'\n";
      const std::size_t at = out.find(block);
      ASSERT_NE(at, std::string::npos) << static_cast<int>(order) << " " << id;
      const std::size_t end = at + block.size();
      EXPECT_TRUE(end == out.size() || out.compare(end, 5, "1970-") == 0)
          << static_cast<int>(order) << " " << id << "\n"
          << out.substr(at, 400);
    }
    EXPECT_EQ(out.find("via:'None/x"), std::string::npos);
    EXPECT_EQ(out.find("/y:"), std::string::npos);
  }
}

TEST(TreeSafetyTest, OldEraWithoutMysqlAndSipTables) {
  TempDir dir;
  const auto db = dir / "old.sqlite";
  store::testing::BuildEraDatabase(db, store::testing::Era::k2010);
  EXPECT_EQ(RunToString(db, {}),
            "using database located at old.sqlite\n2010-10-07 16:57:27\n"
            "  connection 1 smbd tcp accept 192.0.2.10:445 <- 198.51.100.7:4711 (1 None)\n"
            "   service: bindshell://1957\n");
}

// A reader that leaves after a few writes: the walk must stop, not run to the end.
class ClosingSink final : public Sink {
 public:
  void Write(std::string_view) override { ++writes_; }
  bool ok() const override { return writes_ < 5; }
  std::size_t writes_ = 0;
};

TEST(TreeSafetyTest, StopsWhenTheReaderGoesAway) {
  TempDir dir;
  const auto db = dir / "many.sqlite";
  store::testing::BuildFixtureDatabase(db, {});
  Exec(db,
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
       "INSERT INTO connections (connection, connection_type, connection_root) "
       "SELECT i, 'accept', i FROM n;");
  auto opened = store::Database::Open(db, {});
  ASSERT_TRUE(opened.has_value());
  ClosingSink sink;
  TreeOptions o;
  o.db_label = "many.sqlite";
  ASSERT_TRUE(RunTree(*opened, o, sink).has_value());
  EXPECT_LT(sink.writes_, 20u);
}

}  // namespace
}  // namespace honeyvt::tree
