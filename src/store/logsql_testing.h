#pragma once
// Test support: builds logsql databases of each dionaea era and the fixtures.
// Linked only into tests and benchmarks (honeyvt_store_testing).

#include <filesystem>
#include <initializer_list>
#include <string>

namespace honeyvt::store::testing {

enum class Era { k2010, k2011, kMaster };

// Creates a logsql file as dionaea of that era would have (tables of later eras absent).
// With `emu_services_old`, applies dionaea's start-up rename quirk after inserting a row.
void BuildEraDatabase(const std::filesystem::path& path, Era era, bool emu_services_old = false);

// Creates the canonical schema and then runs each file of tests/fixtures/dionaea/ named in `sql`.
void BuildFixtureDatabase(const std::filesystem::path& path,
                          std::initializer_list<std::string> sql_files);

// `sqlite3 PATH .dump` (the CLI), for byte comparisons.
std::string Dump(const std::filesystem::path& path);

}  // namespace honeyvt::store::testing
