// honeyvt report: the analyses of src/report as sub-subcommands (CLI11 subcommands).
#include <algorithm>
#include <iostream>

#include <unistd.h>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "core/clock.h"
#include "core/time_spec.h"
#include "report/format.h"
#include "report/indexes.h"
#include "report/reports.h"
#include "report/verdict_cache.h"

namespace honeyvt::cli {
namespace {

constexpr const char* kOverview =
    "Reports over the VirusTotal verdicts stored in dionaea's logsql database. The database "
    "is opened read-only (only `add-indexes` writes). Speed: after `honeyvt report "
    "add-indexes` (extra indexes + honeyvt's verdict cache) each report takes well under a "
    "second on 50,000 samples / 3.5 million scan rows; without them every report still "
    "works on a read-only file, only slower (a few seconds there), and a cache that no "
    "longer matches the scan rows is ignored (a note says so), never trusted.\n\n"
    "A sample is a distinct downloads.download_md5_hash, or an md5 with a report and no "
    "download (samples from watch folders, enqueue or other honeypots). --since/--until "
    "keep the samples with at least one download in [since, until), a download's time "
    "being its connection's timestamp (download counts then count only those downloads), "
    "and the samples without downloads that honeyvt first saw in the window (their job's "
    "creation in the state database, --state, else their first report fetch). A sample's "
    "reports are its virustotals rows; its latest report is the one with the newest "
    "virustotal_timestamp. A vendor 'detects' a file when its virustotalscans result is "
    "neither NULL nor ''. Family labels: see `families --help`. "
    "Each `honeyvt report REPORT --help` states exactly what that report counts.";

struct ReportFlags {
  CommonFlags common;
  std::string since;
  std::string until;
  std::int64_t limit = 0;
  std::string format;  // empty: table on a terminal, csv otherwise
};

void AddReportFlags(CLI::App& sub, ReportFlags& flags) {
  AddCommonFlags(sub, flags.common);
  sub.add_option(
      "--since", flags.since,
      std::string("only samples downloaded (without downloads: first seen by honeyvt) at or "
                  "after this time: ") +
          std::string(kTimeSpecForms));
  sub.add_option("--until", flags.until,
                 "only samples downloaded (or first seen) before this time (same forms)");
  sub.add_option("--limit", flags.limit, "print at most N rows (0 = all)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--format", flags.format,
                 "table (aligned), csv (RFC 4180; text cells starting with = + - @ TAB or CR "
                 "get a leading ' against spreadsheet formula injection) or json. Default: "
                 "table when stdout is a terminal, csv when it is a pipe or a file")
      ->check(CLI::IsMember({"table", "csv", "json"}));
}

Result<report::Filter> MakeFilter(const ReportFlags& flags) {
  report::Filter filter;
  const TimePoint now = SystemClock().Now();
  if (!flags.since.empty()) {
    ASSIGN_OR_RETURN(double since, ParseTimeSpec(flags.since, now));
    filter.since = since;
  }
  if (!flags.until.empty()) {
    ASSIGN_OR_RETURN(double until, ParseTimeSpec(flags.until, now));
    filter.until = until;
  }
  filter.limit = flags.limit;
  return filter;
}

int Fail(const Error& error) {
  PrintError(error.message);
  return error.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

int AddIndexes(const ReportFlags& flags) {
  auto options = ResolveOptions(flags.common);
  if (!options) return Fail(options.error());
  auto logsql = store::Logsql::Open(options->logsql, store::OpenMode::kReadWrite);
  if (!logsql) return Fail(logsql.error());
  auto created = report::AddReportIndexes(logsql->db());
  if (!created) return Fail(created.error());
  for (const auto& index : report::ReportIndexes()) {
    const bool is_new = std::find(created->begin(), created->end(), index.name) != created->end();
    std::cout << (is_new ? "created " : "present ") << index.name << ": " << index.why << "\n";
  }
  auto cached = report::RebuildVerdictCache(logsql->db());
  if (!cached) return Fail(cached.error());
  std::cout << "rebuilt honeyvt_verdicts/honeyvt_names/honeyvt_vendors: detection ratio, "
               "family label and scan rows of "
            << *cached << " reports (families, summary, aliases and signatures read them)\n";
  return kExitOk;
}

// A sub-subcommand: a one-line summary for `honeyvt report --help`, the exact
// definition of what it counts in its own --help.
CLI::App* AddReport(CLI::App& app, const char* name, const char* summary, const char* counts) {
  CLI::App* sub = app.add_subcommand(name, summary);
  sub->footer(std::string("\nWhat is counted: ") + counts);
  return sub;
}

}  // namespace

int ReportMain(const Invocation& inv) {
  CLI::App app(kOverview, inv.program);
  app.require_subcommand(1);
  ReportFlags flags;
  report::FamilyQuery family;
  report::UndetectedQuery undetected;
  std::string md5;

  auto* aliases = AddReport(
      app, "aliases", "names given to one family's samples, with sample and scan-row counts",
      "Every detection name given by any vendor to the samples that at least one vendor "
      "names with PATTERN inside (case-insensitive substring; % _ \\ are literal). Names are "
      "taken from every report of those samples. Per name: 'samples' = matched samples that "
      "got this name, 'scan_rows' = virustotalscans rows holding it. With --family: the "
      "samples whose family label (see `families`) equals PATTERN.");
  aliases->add_option("PATTERN", family.pattern, "text inside a detection name, or a family")
      ->required();
  aliases->add_flag("--family", family.by_label, "select samples by family label instead");

  auto* signatures =
      AddReport(app, "signatures", "per vendor: distinct names it uses for one family",
                "Signature quality per vendor for one family (samples selected as in `aliases`): "
                "'names' = distinct names the vendor gave those samples over all their reports, "
                "'detected' = samples it named, 'scanned' = samples it has a row for, 'top_name' = "
                "its most frequent name. Sorted by names, most first.");
  signatures->add_option("PATTERN", family.pattern, "text inside a detection name, or a family")
      ->required();
  signatures->add_flag("--family", family.by_label, "select samples by family label instead");

  auto* missed = AddReport(
      app, "undetected",
      "samples a vendor misses, with the DCERPC vulnerability that delivered them",
      "Samples VENDOR misses: its row in the sample's latest report has no name (NULL or ''). "
      "A report without a row for VENDOR (engine did not scan it) is not a miss unless "
      "--include-absent. Per sample: 'downloads' in the window; 'vulns' = number of distinct "
      "DCERPC vulnerabilities and 'vulnerabilities' = their names, from the DCERPC requests "
      "on the attack's root connection (downloads.connection -> connections.connection_root) "
      "joined to dcerpcservices by uuid and dcerpcserviceops by (service, opnum), "
      "ops with an empty vuln left out. Sorted by vulns, then downloads, most first.");
  missed->add_option("VENDOR", undetected.vendor, "engine name as stored, e.g. Kaspersky")
      ->required();
  missed->add_flag("--vuln-only", undetected.vuln_only,
                   "keep only samples delivered through an op with a non-empty vuln");
  missed->add_flag("--include-absent", undetected.include_absent,
                   "also count latest reports that have no row for VENDOR");

  auto* summary = AddReport(
      app, "summary", "totals, detection-ratio buckets, top families, new samples per day",
      "Totals: samples, downloads, samples with a report, samples without a verdict yet (no "
      "virustotals row), reports, samples whose label is SINGLETON. Detection ratio of each "
      "sample's latest report (rows with a name / rows) in buckets. Top families (--limit, "
      "default 10) by samples. New samples per UTC day of their first download ever (without "
      "downloads: of honeyvt's first sight). Sources: samples per source, 'dionaea downloads' "
      "for samples with a download row, else the source of the honeyvt job that queued them "
      "(enqueue, watch:DIR, ...; read from the state database), else 'unknown'.");

  auto* families = AddReport(
      app, "families", "a family label per sample by token vote over vendors' names",
      "A family label per sample with a report, from its latest report's names: split on "
      "non-alphanumerics, lowercased, trailing digits cut; generic tokens (trojan, generic, "
      "win32, heur, agent, worm, ...), tokens under 4 characters and hex-looking tokens "
      "dropped; kido/downadup count as conficker, palevo/pilleuz as rimecud. Each name votes "
      "once per token; the label is the most-voted token (ties: alphabetical), or SINGLETON "
      "when no token has 2 votes. 'votes' = the winner's votes.");

  auto* history = AddReport(
      app, "history", "how one sample's detection changed from report to report",
      "How MD5's detection changed: one row per report, oldest first, from honeyvt's own "
      "honeyvt_reports history; if honeyvt recorded none, from dionaea's virustotals rows "
      "(a note says so). 'gained'/'lost' = engines that started/stopped naming it since the "
      "previous row. --since/--until filter the reports' analysis dates here.");
  history->add_option("MD5", md5, "the sample's md5 (32 hex digits)")->required();

  auto* indexes = AddReport(
      app, "add-indexes", "create the additional indexes that keep reports fast (writes)",
      "Create the additional indexes that keep reports under a second on large databases "
      "(docs/reports.md lists them and why). Writes to the database: stop dionaea or run it "
      "when idle. Only adds indexes named honeyvt_*; never changes a column. Also (re)builds "
      "honeyvt's own cache tables honeyvt_verdicts, honeyvt_names and honeyvt_vendors "
      "(every report's detection ratio, family label and scan rows as small ids) that "
      "families, summary, aliases and signatures read instead of millions of scan rows; "
      "reports check the cache against virustotals/virustotalscans, read new or changed "
      "reports themselves, and ignore a stale cache (slower, never wrong; a note says so). "
      "Run it again after large imports. Without indexes and cache every report still "
      "works, only slower.");
  AddCommonFlags(*indexes, flags.common);

  for (CLI::App* sub : {aliases, signatures, missed, summary, families, history}) {
    AddReportFlags(*sub, flags);
  }
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  if (indexes->parsed()) return AddIndexes(flags);

  auto options = ResolveOptions(flags.common);
  if (!options) return Fail(options.error());
  auto filter = MakeFilter(flags);
  if (!filter) return Fail(filter.error());
  // Default: aligned for a person at a terminal, CSV for a script reading a pipe.
  const std::string format_name =
      !flags.format.empty() ? flags.format : (isatty(STDOUT_FILENO) ? "table" : "csv");
  auto format = report::ParseFormat(format_name);
  if (!format) return Fail(format.error());
  auto source = report::Source::Open(options->logsql, *filter, options->StatePath());
  if (!source) return Fail(source.error());

  Result<report::Document> doc = MakeError(ErrorCode::kInternal, "no report selected");
  if (aliases->parsed()) doc = report::Aliases(*source, family);
  if (signatures->parsed()) doc = report::Signatures(*source, family);
  if (missed->parsed()) doc = report::Undetected(*source, undetected);
  if (summary->parsed()) doc = report::Summary(*source);
  if (families->parsed()) doc = report::Families(*source);
  if (history->parsed()) doc = report::History(*source, md5);
  if (!doc) return Fail(doc.error());
  for (const std::string& note : source->notes()) std::cerr << "honeyvt: note: " << note << "\n";
  for (const std::string& note : doc->notes) std::cerr << "honeyvt: note: " << note << "\n";
  report::Render(*doc, *format, std::cout);
  return kExitOk;
}

}  // namespace honeyvt::cli
