// honeyvt fleet init [DSN] [--grant ROLE]... | honeyvt fleet migrate-state [FILE]
#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "fleet/migrate_state.h"
#include "store/pg/dsn.h"
#include "store/pg/migrations.h"

#ifndef HONEYVT_VERSION
#define HONEYVT_VERSION "unknown"
#endif

namespace honeyvt::cli {
namespace {

constexpr const char* kOverview =
    "A fleet: many sensors, one PostgreSQL database, one API key whose quota they share "
    "exactly (docs/fleet.md). Configure each sensor with fleet_dsn (or state = "
    "\"postgresql://...\") and a sensor name, then `honeyvt run` joins the fleet. The DSN is "
    "a libpq keyword string or a postgresql:// URI; prefer ~/.pgpass or PGPASSFILE to a "
    "password inside it (a password on the command line shows in ps). `honeyvt status "
    "--fleet` shows workers, the key's quota and the queue.";

int Fail(const Error& error) {
  PrintError(error.message);
  return error.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

// The DSN from the argument, else from the configuration.
Result<std::string> DsnOf(const std::string& arg, const CommonFlags& common) {
  if (!arg.empty()) {
    if (pg::DsnHasPassword(arg)) {
      std::cerr << "honeyvt: warning: the DSN on the command line holds a password, which "
                   "other users can see in ps; prefer ~/.pgpass, PGPASSFILE or the "
                   "HONEYVT_FLEET_DSN environment variable\n";
    }
    return arg;
  }
  ASSIGN_OR_RETURN(Options options, ResolveOptions(common));
  const std::string dsn = options.FleetDsn();
  if (dsn.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no fleet database: give its DSN, or set fleet_dsn in the configuration");
  }
  return dsn;
}

int Init(const std::string& arg, const CommonFlags& common, const std::vector<std::string>& roles) {
  auto dsn = DsnOf(arg, common);
  if (!dsn) return Fail(dsn.error());
  pg::ConnectOptions connect;
  connect.application_name = "honeyvt/fleet-init";
  auto conn = pg::Connection::Open(*dsn, connect);
  if (!conn) return Fail(conn.error());
  auto before = pg::MigrateFleet(*conn, "honeyvt " HONEYVT_VERSION);
  if (!before) return Fail(before.error());
  const int now = pg::LatestSchemaVersion();
  if (*before == now) {
    std::cout << "fleet database " << pg::RedactDsn(*dsn) << ": schema version " << now
              << ", up to date\n";
  } else {
    std::cout << "fleet database " << pg::RedactDsn(*dsn) << ": schema version " << now << " (was "
              << *before << ")\n";
  }
  for (const auto& role : roles) {
    auto granted = conn->Query("SELECT honeyvt.grant_sensor($1)", pg::Params(role));
    if (!granted) return Fail(granted.error());
    std::cout << "granted role " << role
              << " data rights on honeyvt's tables and dionaea's virustotals/virustotalscans\n";
  }
  return kExitOk;
}

}  // namespace

int FleetMain(const Invocation& inv) {
  CLI::App app(kOverview, inv.program);
  app.require_subcommand(1);
  CommonFlags common;
  std::string dsn;
  std::vector<std::string> roles;
  CLI::App* init = app.add_subcommand(
      "init",
      "create or upgrade the fleet schema (versioned migrations; a schema of a newer honeyvt "
      "is refused). Needs a role that may create schemas; sensors only need data rights");
  AddCommonFlags(*init, common);
  init->add_option("DSN", dsn, "the fleet database (default: fleet_dsn from the configuration)");
  init->add_option("--grant", roles,
                   "give this existing database role the data rights a sensor needs "
                   "(repeatable; one role per sensor)");
  std::string file;
  CLI::App* migrate = app.add_subcommand(
      "migrate-state",
      "move this host's single-host state database (jobs, quota log, learnt values) and the "
      "reports in its logsql into the fleet database, losing no job and no report; run it "
      "with `honeyvt run` stopped, then switch the configuration to the fleet");
  AddCommonFlags(*migrate, common);
  migrate->add_option("FILE", file, "the state database (default: the configured state)");
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  if (init->parsed()) return Init(dsn, common, roles);
  auto options = ResolveOptions(common);
  if (!options) return Fail(options.error());
  auto moved = fleet::MigrateState(
      *options, file.empty() ? options->StatePath() : std::filesystem::path(file));
  if (!moved) return Fail(moved.error());
  std::cout << moved->Summary() << "\n";
  return kExitOk;
}

}  // namespace honeyvt::cli
