#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "store/logsql.h"

namespace honeyvt::cli {

int DbInfoMain(const Invocation& inv) {
  CLI::App app("Open a dionaea logsql database read-only and print its era and row counts. "
               "Never writes to or creates the file.",
               inv.program);
  std::string path;
  app.add_option("PATH", path, "logsql database file")->required();
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  auto logsql = store::Logsql::Open(path, store::OpenMode::kReadOnly);
  if (!logsql) {
    PrintError(logsql.error().message);
    return kExitFailure;
  }
  std::cout << path << ": dionaea logsql, era " << logsql->era().Describe() << "\n";
  static constexpr const char* kCounts[][2] = {
      {"connections", "SELECT count(*) FROM connections"},
      {"downloads", "SELECT count(*) FROM downloads"},
      {"distinct md5", "SELECT count(DISTINCT download_md5_hash) FROM downloads"},
      {"virustotals", "SELECT count(*) FROM virustotals"},
      {"virustotalscans", "SELECT count(*) FROM virustotalscans"},
  };
  for (const auto& [label, sql] : kCounts) {
    auto stmt = logsql->db().Prepare(sql);
    if (!stmt) {
      PrintError(stmt.error().message);
      return kExitFailure;
    }
    auto row = stmt->Step();
    if (!row) {
      PrintError(row.error().message);
      return kExitFailure;
    }
    std::cout << "  " << label << ": " << stmt->Int64(0) << "\n";
  }
  return kExitOk;
}

}  // namespace honeyvt::cli
