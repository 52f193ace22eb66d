#include "store/pg/connection.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/pg/error.h"
#include "store/pg/pg_testing.h"
#include "store/pg/transaction.h"

namespace honeyvt::pg {
namespace {

TEST(PgConnectionTest, BindsParametersAndReadsTypedValues) {
  HONEYVT_PG_DATABASE(db);
  auto conn = Connection::Open(db.dsn());
  ASSERT_TRUE(conn) << conn.error().ToString();
  auto r = conn->Query(
      "SELECT $1::text, $2::bigint, $3::text IS NULL, $4::boolean, "
      "honeyvt.us(honeyvt.ts($5))",
      Params(std::string("it's; DROP TABLE x"), std::int64_t{-42})
          .AddNull()
          .Add(true)
          .Add(FromUnixSeconds(std::int64_t{1700000000})));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->Text(0, 0), "it's; DROP TABLE x");
  EXPECT_EQ(r->Int64(0, 1), -42);
  EXPECT_TRUE(r->Bool(0, 2));
  EXPECT_TRUE(r->Bool(0, 3));
  EXPECT_EQ(r->Time(0, 4), FromUnixSeconds(std::int64_t{1700000000}));
}

TEST(PgConnectionTest, InvalidUtf8AndNulBytesAreStoredNotRefused) {
  HONEYVT_PG_DATABASE(db);
  auto conn = Connection::Open(db.dsn());
  ASSERT_TRUE(conn);
  auto r = conn->Query("SELECT $1::text, $2::text[]",
                       Params(std::string("ab\xff\xfe"
                                          "c\0tail",
                                          9))
                           .AddTextArray({"ok", "\xc3\x28", "q\"uo\\te"}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->Text(0, 0),
            "ab\xEF\xBF\xBD\xEF\xBF\xBD"
            "c");
  EXPECT_EQ(r->Text(0, 1), "{ok,\xEF\xBF\xBD(,\"q\\\"uo\\\\te\"}");
}

TEST(PgConnectionTest, SqlStatesMapToErrorCodes) {
  HONEYVT_PG_DATABASE(db);
  auto conn = Connection::Open(db.dsn());
  ASSERT_TRUE(conn);
  auto missing = conn->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("42P01"), std::string::npos);
  ASSERT_TRUE(conn->Exec("CREATE TEMP TABLE u (x int UNIQUE); INSERT INTO u VALUES (1)"));
  auto dup = conn->Query("INSERT INTO u VALUES (1)");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kInvalidArgument);
  auto bad = conn->Query("SELECT 'x'::integer");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kCorrupt);
  EXPECT_EQ(CodeForSqlState("40001"), ErrorCode::kBusy);
  EXPECT_EQ(CodeForSqlState("40P01"), ErrorCode::kBusy);
  EXPECT_EQ(CodeForSqlState("08006"), ErrorCode::kTransient);
  EXPECT_EQ(CodeForSqlState("57P01"), ErrorCode::kTransient);
  EXPECT_EQ(CodeForSqlState("42501"), ErrorCode::kForbidden);
  EXPECT_EQ(CodeForSqlState("28P01"), ErrorCode::kForbidden);
}

TEST(PgConnectionTest, TransactionRollsBackUnlessCommitted) {
  HONEYVT_PG_DATABASE(db);
  auto conn = Connection::Open(db.dsn());
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->Exec("CREATE TABLE t (x int)"));
  {
    auto tx = Transaction::Begin(*conn);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(conn->Exec("INSERT INTO t VALUES (1)"));
  }
  {
    auto tx = Transaction::Begin(*conn);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(conn->Exec("INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(tx->Commit());
  }
  auto r = conn->Query("SELECT string_agg(x::text, ',') FROM t");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Text(0, 0), "2");
}

TEST(PgConnectionTest, PreparedStatementsSurviveAReconnect) {
  HONEYVT_PG_DATABASE(db);
  auto conn = Connection::Open(db.dsn());
  ASSERT_TRUE(conn);
  auto one = conn->Prepared("add", "SELECT $1::int + 1", Params(1));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->Int64(0, 0), 2);
  // Another session ends ours, as a server restart would.
  auto admin = Connection::Open(db.dsn());
  ASSERT_TRUE(admin);
  ASSERT_TRUE(
      admin->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                   "datname = current_database() AND pid <> pg_backend_pid()"));
  auto lost = conn->Prepared("add", "SELECT $1::int + 1", Params(2));
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kTransient) << lost.error().ToString();
  EXPECT_TRUE(conn->Broken());
  ASSERT_TRUE(conn->Reconnect());
  auto again = conn->Prepared("add", "SELECT $1::int + 1", Params(2));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->Int64(0, 0), 3);
}

TEST(PgConnectionTest, ListenReceivesNotificationsAndStopsWaitingOnRequest) {
  HONEYVT_PG_DATABASE(db);
  auto listener = Connection::Open(db.dsn());
  auto sender = Connection::Open(db.dsn());
  ASSERT_TRUE(listener && sender);
  ASSERT_TRUE(listener->Listen("honeyvt_work"));
  EXPECT_FALSE(listener->Listen("bad channel; DROP"));
  ASSERT_TRUE(sender->Exec("NOTIFY honeyvt_work, 'hello'"));
  auto got = listener->WaitForNotifications(std::chrono::seconds(5));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].channel, "honeyvt_work");
  EXPECT_EQ((*got)[0].payload, "hello");
  std::stop_source stop;
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop.request_stop();
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto none = listener->WaitForNotifications(std::chrono::seconds(30), stop.get_token());
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

TEST(PgConnectionTest, AServerThatIsDownIsATransientErrorWithoutThePassword) {
  std::string why;
  auto cluster = testing::ClusterDsn(why);
  if (!cluster) GTEST_SKIP() << why;
  testing::RecordUse(true);
  // A loopback port nobody listens on.
  auto c = Connection::Open("host=127.0.0.1 port=1 user=x password=hunter2 connect_timeout=2");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kTransient);
  EXPECT_NE(c.error().message.find("cannot connect"), std::string::npos) << c.error().message;
  EXPECT_EQ(c.error().message.find("hunter2"), std::string::npos) << c.error().message;
  // A database that does not exist.
  auto nodb = Connection::Open(*cluster + " dbname=no_such_database_here");
  ASSERT_FALSE(nodb);
  EXPECT_EQ(nodb.error().code, ErrorCode::kNotFound) << nodb.error().message;
}

}  // namespace
}  // namespace honeyvt::pg
