#pragma once
// Test support: one fresh fleet database per test, cloned from the template database
// that scripts/pg-test-cluster builds with `honeyvt fleet init` (ctest starts the
// cluster through the pg_cluster fixture). Without a cluster the test is skipped with a
// message saying how to enable it. Each use is recorded in the cluster's tests.log so
// that the cluster's stop step can count PostgreSQL tests run and skipped.
//
//   TEST(FooTest, Bar) {
//     HONEYVT_PG_DATABASE(db);          // skips the test if there is no cluster
//     auto fleet = pg::FleetDb::Open(db.dsn(), "test");
//   }

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace honeyvt::pg::testing {

class TestDatabase {
 public:
  // A new database, or nullopt with `why` set (no cluster, or it failed). `empty`: no
  // honeyvt schema (cloned from template0), for tests of `fleet init` itself.
  static std::optional<TestDatabase> Create(std::string& why, bool empty = false);
  TestDatabase(TestDatabase&& other) noexcept;
  TestDatabase& operator=(TestDatabase&&) = delete;
  ~TestDatabase();

  const std::string& dsn() const { return dsn_; }
  const std::string& name() const { return name_; }
  // The maintenance DSN of the cluster (database postgres).
  const std::string& admin_dsn() const { return admin_; }

 private:
  TestDatabase(std::string admin, std::string name, std::string dsn)
      : admin_(std::move(admin)), name_(std::move(name)), dsn_(std::move(dsn)) {}
  std::string admin_, name_, dsn_;
};

// The cluster's maintenance DSN, or nullopt (and why) when there is none.
std::optional<std::string> ClusterDsn(std::string& why);
// Appends "ran <test>" or "skipped <test>" to the cluster's tests.log.
void RecordUse(bool ran);

}  // namespace honeyvt::pg::testing

#define HONEYVT_PG_DATABASE(var)                                            \
  std::string var##_why;                                                    \
  auto var##_opt = ::honeyvt::pg::testing::TestDatabase::Create(var##_why); \
  if (!var##_opt) GTEST_SKIP() << var##_why;                                \
  ::honeyvt::pg::testing::TestDatabase& var = *var##_opt
