#include "store/pg/pg_testing.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

#include "store/pg/connection.h"

namespace honeyvt::pg::testing {
namespace {

constexpr const char* kHowToEnable =
    "PostgreSQL tests need a cluster: install PostgreSQL (scripts/bootstrap installs "
    "postgresql and libpq-dev) and run them through ctest or `make test` (the pg_cluster "
    "fixture starts a private cluster), or point HVT_TEST_PG at a maintenance DSN of "
    "a cluster whose database honeyvt_template holds `honeyvt fleet init`";

std::string StateDir() {
  if (const char* d = std::getenv("HVT_PG_TEST_STATE")) return d;
  return HVT_PG_TEST_STATE;
}

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

std::optional<std::string> ClusterDsn(std::string& why) {
  if (const char* env = std::getenv("HVT_TEST_PG"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  const std::string dsn = ReadLine(StateDir() + "/dsn");
  if (!dsn.empty()) return dsn;
  const std::string skipped = ReadLine(StateDir() + "/skipped");
  why = skipped.empty() ? std::string(kHowToEnable) : skipped;
  return std::nullopt;
}

void RecordUse(bool ran) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::ofstream out(StateDir() + "/tests.log", std::ios::app);
  out << (ran ? "ran " : "skipped ")
      << (info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "?")
      << "\n";
}

std::optional<TestDatabase> TestDatabase::Create(std::string& why, bool empty) {
  auto admin = ClusterDsn(why);
  if (!admin) {
    RecordUse(false);
    return std::nullopt;
  }
  static std::atomic<int> counter{0};
  std::random_device rd;
  const std::string name = "t_" + std::to_string(getpid()) + "_" +
                           std::to_string(counter.fetch_add(1)) + "_" +
                           std::to_string(rd() % 100000);
  auto conn = Connection::Open(*admin);
  if (!conn) {
    why = "cannot reach the test cluster: " + conn.error().message;
    RecordUse(false);
    return std::nullopt;
  }
  Status made = MakeError(ErrorCode::kInternal, "not tried");
  for (int attempt = 0; attempt < 20; ++attempt) {
    // The name is ours (digits and letters only), not user input.
    made = conn->Exec("CREATE DATABASE " + name + " TEMPLATE " +
                      (empty ? "template0" : "honeyvt_template"));
    if (made || made.error().message.find("being accessed by other users") == std::string::npos) {
      break;
    }
    usleep(100000);
  }
  if (!made) {
    why = "cannot create a test database: " + made.error().message;
    RecordUse(false);
    return std::nullopt;
  }
  RecordUse(true);
  return TestDatabase(*admin, name, *admin + " dbname=" + name);
}

TestDatabase::TestDatabase(TestDatabase&& other) noexcept
    : admin_(std::move(other.admin_)), name_(std::move(other.name_)), dsn_(std::move(other.dsn_)) {
  other.name_.clear();
}

TestDatabase::~TestDatabase() {
  if (name_.empty()) return;
  if (auto conn = Connection::Open(admin_)) {
    (void)conn->Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
}

}  // namespace honeyvt::pg::testing
