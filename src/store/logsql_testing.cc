#include "store/logsql_testing.h"

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "core/testing.h"
#include "store/logsql.h"

namespace honeyvt::store::testing {
namespace {

void Must(const Status& st) {
  if (!st) throw std::runtime_error(st.error().ToString());
}

}  // namespace

void BuildEraDatabase(const std::filesystem::path& path, Era era, bool emu_services_old) {
  {
    auto created = Logsql::Create(path);
    if (!created) throw std::runtime_error(created.error().ToString());
  }
  auto db = Database::Open(path, {.mode = OpenMode::kReadWrite});
  if (!db) throw std::runtime_error(db.error().ToString());
  if (era != Era::kMaster) {
    Must(db->Exec(
        "DROP TABLE mqtt_fingerprints; DROP TABLE mqtt_publish_commands;"
        "DROP TABLE mqtt_subscribe_commands;"));
  }
  if (era == Era::k2010) {
    Must(db->Exec(
        "DROP TABLE mysql_commands; DROP TABLE mysql_command_args; DROP TABLE mysql_command_ops;"
        "DROP TABLE sip_commands; DROP TABLE sip_addrs; DROP TABLE sip_vias;"
        "DROP TABLE sip_sdp_origins; DROP TABLE sip_sdp_connectiondatas;"
        "DROP TABLE sip_sdp_medias;"));
  }
  // A REAL timestamp in an INTEGER column, as dionaea writes it.
  Must(db->Exec(
      "INSERT INTO connections VALUES(1,'accept','tcp','smbd',1286470647.25,1,NULL,"
      "'192.0.2.10',445,'198.51.100.7','',4711);"
      "INSERT INTO emu_services (connection, emu_service_url) VALUES (1, 'bindshell://1957');"));
  if (emu_services_old) {
    Must(db->Exec(
        "ALTER TABLE emu_services RENAME TO emu_services_old;"
        "CREATE TABLE emu_services (emu_serivce INTEGER PRIMARY KEY, connection INTEGER,"
        " emu_service_url TEXT);"));
  }
}

void BuildFixtureDatabase(const std::filesystem::path& path,
                          std::initializer_list<std::string> sql_files) {
  {
    auto created = Logsql::Create(path);
    if (!created) throw std::runtime_error(created.error().ToString());
  }
  auto db = Database::Open(path, {.mode = OpenMode::kReadWrite});
  if (!db) throw std::runtime_error(db.error().ToString());
  for (const auto& file : sql_files) {
    Must(db->Exec(honeyvt::testing::ReadFile(honeyvt::testing::FixturesDir() / "dionaea" / file)));
  }
}

std::string Dump(const std::filesystem::path& path) {
  std::string cmd = "sqlite3 '" + path.string() + "' .dump";
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(cmd.c_str(), "r"), &pclose);
  if (!pipe) throw std::runtime_error("cannot run sqlite3");
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe.get())) > 0) out.append(buf, n);
  return out;
}

}  // namespace honeyvt::store::testing
