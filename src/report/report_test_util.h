#pragma once
// Test helpers for report tests: fixture databases and documents as text rows.

#include <filesystem>
#include <string>
#include <vector>

#include "report/source.h"
#include "report/table.h"

namespace honeyvt::report::testing {

Filter MakeFilter(std::optional<double> since, std::optional<double> until = std::nullopt,
                  std::int64_t limit = 0);

// Cells as text: integers in decimal, NULL as "NULL".
std::vector<std::vector<std::string>> Rows(const Document& doc, std::size_t table = 0);

// tests/fixtures/dionaea schema + portable_data.sql + full_extra.sql.
void BuildFullFixture(const std::filesystem::path& path);

// Runs constant SQL on a test database (read-write).
void ExecSql(const std::filesystem::path& path, const std::string& sql);

}  // namespace honeyvt::report::testing
