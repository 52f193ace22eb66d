// `honeyvt tree` (also run as `readlogsqltree`): dionaea's attack-tree report.
#include <csignal>
#include <string>
#include <vector>

#include <unistd.h>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "core/clock.h"
#include "core/strings.h"
#include "core/time_spec.h"
#include "store/logsql.h"
#include "tree/tree.h"

namespace honeyvt::cli {
namespace {

constexpr const char* kDefaultDb = "/opt/dionaea/var/dionaea/logsql.sqlite";

constexpr const char* kDescription =
    "Print dionaea's attacks as trees, byte-compatible with dionaea's readlogsqltree: one tree\n"
    "per root connection, child connections nested below the connection that caused them,\n"
    "with DCERPC binds/requests, shellcode profiles, offers, downloads with their VirusTotal\n"
    "verdict and detection names, logins, MSSQL/MySQL commands and SIP.\n\n"
    "Filters select root connections (a selected root prints its whole tree) and are ANDed.\n"
    "Every value is bound as an SQL parameter. As in the original, an empty value (and -c 0)\n"
    "adds no condition. The database is opened read-only and never created.\n\n"
    "Output is streamed; control characters and invalid UTF-8 in database strings are\n"
    "printed as \\xNN unless --raw. Times print in local time (set TZ). See docs/tree.md.\n"
    "Run as 'readlogsqltree' (a symlink) it behaves the same.";

struct Flags {
  std::string remote_host, connection, offer_url, download_url, time_from, time_to, uuid, opnum,
      protocol, md5, type, format = "text";
  bool query_only = false, latest_report = false, raw = false;
  bool connection_given = false, opnum_given = false;
  std::vector<std::string> positionals;
};

void AddFlags(CLI::App& app, Flags& f) {
  app.add_option("-r,--remote-host", f.remote_host, "roots whose remote_host equals TEXT")
      ->option_text("TEXT");
  app.add_option("-c,--connection", f.connection,
                 "the root with this connection id (decimal integer; 0 = no filter)")
      ->option_text("ID");
  app.add_option("-o,--in-offer-url", f.offer_url,
                 "roots with an offer URL containing TEXT (SQL LIKE: % and _ are wildcards, "
                 "ASCII case-insensitive)")
      ->option_text("TEXT");
  app.add_option("-d,--in-download-url", f.download_url,
                 "roots with a download URL containing TEXT (LIKE, as -o)")
      ->option_text("TEXT");
  app.add_option("-t,--time-from", f.time_from,
                 "roots that started after TIME: epoch seconds, ISO-8601 date or date-time "
                 "(local time unless Z/+HH:MM), or an age such as 90s 30m 24h 7d 2w")
      ->option_text("TIME");
  app.add_option("-T,--time-to", f.time_to, "roots that started before TIME (forms as -t)")
      ->option_text("TIME");
  app.add_option("-u,--dcerpcbind-uuid", f.uuid, "roots with a DCERPC bind to this UUID")
      ->option_text("UUID");
  app.add_option("-p,--dcerpcrequest-opnum", f.opnum,
                 "roots with a DCERPC request of this opnum (decimal integer)")
      ->option_text("N");
  app.add_option("-P,--protocol", f.protocol, "roots of this protocol (smbd, httpd, ...)")
      ->option_text("TEXT");
  app.add_option("-m,--downloads-md5sum", f.md5, "roots that downloaded this md5")
      ->option_text("MD5");
  app.add_option("-y,--connection-type", f.type,
                 "roots of this connection type (accept, connect, listen, reject, pending)")
      ->option_text("TYPE");
  app.add_flag("-q,--query-only", f.query_only,
               "print the root query (with ? placeholders) and exit; the database is not "
               "opened");
  app.add_flag("--latest-report", f.latest_report,
               "show only the newest VirusTotal report of each sample (default: counts "
               "summed over all stored reports, as the original)");
  app.add_option("--format", f.format,
                 "text (readlogsqltree's format) or json (NDJSON: one object per root tree, "
                 "children nested)")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--raw", f.raw,
               "text: print database strings unescaped, exactly as stored (unsafe on a "
               "terminal)");
  app.add_option(
      "DBPATH", f.positionals,
      std::string("logsql database (default ") + kDefaultDb + "); further arguments are ignored");
}

// Converts the flags; an error message names the option and the value.
Result<tree::TreeOptions> ToOptions(const Flags& f) {
  tree::TreeOptions o;
  o.db_label = f.positionals.empty() ? kDefaultDb : f.positionals.front();
  o.format = f.format == "json" ? tree::Format::kJson : tree::Format::kText;
  o.latest_report = f.latest_report;
  o.raw = f.raw;
  auto text = [](const std::string& v) {
    return v.empty() ? std::nullopt : std::optional<std::string>(v);
  };
  auto integer = [](const char* name, const std::string& v) -> Result<std::optional<std::int64_t>> {
    auto n = ParseInt(v);
    if (!n) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(name) + ": '" + v + "' is not a decimal integer");
    }
    return std::optional<std::int64_t>(*n);
  };
  const TimePoint now = SystemClock().Now();
  auto time = [&](const char* name, const std::string& v) -> Result<std::optional<double>> {
    if (v.empty()) return std::optional<double>();
    auto t = ParseTimeSpec(v, now);
    if (!t)
      return MakeError(ErrorCode::kInvalidArgument, std::string(name) + ": " + t.error().message);
    return std::optional<double>(*t);
  };
  tree::TreeFilters& flt = o.filters;
  flt.remote_host = text(f.remote_host);
  if (f.connection_given) {
    ASSIGN_OR_RETURN(flt.connection, integer("-c/--connection", f.connection));
    if (flt.connection == 0) flt.connection.reset();  // falsy in the original: no filter
  }
  flt.in_offer_url = text(f.offer_url);
  flt.in_download_url = text(f.download_url);
  ASSIGN_OR_RETURN(flt.time_from, time("-t/--time-from", f.time_from));
  ASSIGN_OR_RETURN(flt.time_to, time("-T/--time-to", f.time_to));
  flt.dcerpcbind_uuid = text(f.uuid);
  if (f.opnum_given && !f.opnum.empty()) {
    ASSIGN_OR_RETURN(flt.dcerpcrequest_opnum, integer("-p/--dcerpcrequest-opnum", f.opnum));
  } else if (f.opnum_given) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "-p/--dcerpcrequest-opnum: '' is not a decimal integer");
  }
  flt.protocol = text(f.protocol);
  flt.md5sum = text(f.md5);
  flt.connection_type = text(f.type);
  return o;
}

}  // namespace

int TreeMain(const Invocation& inv) {
  CLI::App app(kDescription, inv.program);
  Flags flags;
  AddFlags(app, flags);
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  flags.connection_given = app.count("--connection") > 0;
  flags.opnum_given = app.count("--dcerpcrequest-opnum") > 0;
  auto options = ToOptions(flags);
  if (!options) {
    PrintError(options.error().message);
    return kExitUsage;
  }
  // A reader that goes away (`| head`) must end the command quietly: EPIPE instead of a
  // fatal SIGPIPE, and the sink stops the walk.
  std::signal(SIGPIPE, SIG_IGN);
  tree::FdSink out(STDOUT_FILENO);
  if (flags.query_only) {
    out.Write(tree::QueryOnlyText(*options));
    return out.Flush() ? kExitOk : kExitFailure;
  }
  auto logsql = store::Logsql::Open(options->db_label, store::OpenMode::kReadOnly);
  if (!logsql) {
    PrintError(logsql.error().message);
    return kExitFailure;
  }
  Status st = tree::RunTree(logsql->db(), *options, out);
  Status flushed = out.Flush();
  if (out.closed()) return kExitOk;
  if (!st) {
    PrintError(st.error().message);
    return kExitFailure;
  }
  if (!flushed) {
    PrintError(flushed.error().message);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace honeyvt::cli
