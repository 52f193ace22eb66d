#include "report/report_test_util.h"

#include <stdexcept>

#include "store/logsql_testing.h"
#include "store/sqlite.h"

namespace honeyvt::report::testing {

Filter MakeFilter(std::optional<double> since, std::optional<double> until, std::int64_t limit) {
  Filter f;
  f.since = since;
  f.until = until;
  f.limit = limit;
  return f;
}

std::vector<std::vector<std::string>> Rows(const Document& doc, std::size_t table) {
  std::vector<std::vector<std::string>> out;
  if (table >= doc.tables.size()) return out;
  for (const Row& row : doc.tables[table].rows) {
    auto& line = out.emplace_back();
    for (const Cell& cell : row) {
      if (const auto* i = std::get_if<std::int64_t>(&cell)) {
        line.push_back(std::to_string(*i));
      } else if (const auto* s = std::get_if<std::string>(&cell)) {
        line.push_back(*s);
      } else if (const auto* d = std::get_if<double>(&cell)) {
        line.push_back(std::to_string(*d));
      } else {
        line.push_back("NULL");
      }
    }
  }
  return out;
}

void BuildFullFixture(const std::filesystem::path& path) {
  store::testing::BuildFixtureDatabase(path, {"portable_data.sql", "full_extra.sql"});
}

void ExecSql(const std::filesystem::path& path, const std::string& sql) {
  auto db = store::Database::Open(path, {.mode = store::OpenMode::kReadWrite});
  if (!db) throw std::runtime_error(db.error().ToString());
  auto st = db->Exec(sql);
  if (!st) throw std::runtime_error(st.error().ToString());
}

}  // namespace honeyvt::report::testing
