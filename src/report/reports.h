#pragma once
// The reports behind `honeyvt report ...`. Each takes an opened Source (source.h: what a
// sample is, the time window, latest report) and returns a Document to render. What
// each one counts is spelled out here, in `--help` and in docs/reports.md.

#include <string>

#include "core/result.h"
#include "report/source.h"
#include "report/table.h"

namespace honeyvt::report {

// Selecting a family's samples for aliases and signatures.
struct FamilyQuery {
  std::string pattern;
  // false: samples with at least one scan row whose result contains `pattern` as a
  //        substring (SQL LIKE, ASCII case-insensitive; % _ and \ in the pattern are
  //        literal characters). true: samples whose family label (family.h) equals
  //        `pattern` lowercased.
  bool by_label = false;
};

// aliases: over every report of the selected samples, each distinct detection name with
// the number of selected samples that got it and the number of scan rows holding it.
// Ordered by samples, then rows (descending), then name.
Result<Document> Aliases(Source& source, const FamilyQuery& query);

// signatures: per vendor (scanner), over every report of the selected samples: distinct
// names it used, selected samples it named (detected), selected samples it scanned, and
// its most frequent name. Ordered by distinct names (descending), then vendor.
Result<Document> Signatures(Source& source, const FamilyQuery& query);

struct UndetectedQuery {
  std::string vendor;           // virustotalscan_scanner, compared exactly
  bool vuln_only = false;       // keep samples delivered through an op with a vulnerability
  bool include_absent = false;  // also count latest reports without a row for the vendor
};

// undetected: samples whose latest report has the vendor's row with result NULL (or '')
// — plus, with include_absent, reports lacking the vendor — with, per sample: downloads
// in scope, the distinct DCERPC vulnerabilities of the attacks that delivered it, their
// number. Ordered by vulnerabilities, downloads
// (descending), then md5.
Result<Document> Undetected(Source& source, const UndetectedQuery& query);

// summary: several tables — totals, detection-ratio buckets, top families (limit rows,
// default 10), per-day new samples. See docs/reports.md.
Result<Document> Summary(Source& source);

// families: one row per sample with a report: md5, family label, votes, positives, total.
// Ordered by family (singletons last), votes (descending), md5.
Result<Document> Families(Source& source);

// history: the reports of one md5 over time, from honeyvt_reports when honeyvt recorded
// any, else from dionaea's virustotals rows (with a note). Each row: the analysis date,
// positives/total, family label, engines that started and stopped detecting it compared
// to the previous report. The window filters analysis dates.
Result<Document> History(Source& source, const std::string& md5);

}  // namespace honeyvt::report
