#pragma once
// Renders a report Document as an aligned text table, CSV (RFC 4180) or JSON.
//
// - kTable: each table under its title, columns padded, numbers right-aligned; control
//   characters (C0, DEL, C1) in text and titles are shown as \xNN so a hostile name cannot
//   drive the terminal, and Unicode bidi controls (core/bidi.h) as \u202e so none can
//   reorder what a line shows.
// - kCsv: one header line, then rows; a field is quoted when it holds a comma, quote,
//   CR, LF or leading/trailing space, with quotes doubled. A document of several tables
//   (summary) whose tables share their column names is one CSV with a leading
//   "section" column; otherwise tables follow each other separated by an empty line.
//   Text cells starting with = + - @ TAB or CR get a leading ' (OWASP's defence against
//   spreadsheet formula injection: detection names come from attackers and vendors);
//   bidi controls are written \u202e as in a table (a spreadsheet would reorder them too).
// - kJson: one table -> an array of objects keyed by column; several tables -> an object
//   mapping table name to such an array. Integers stay integers, NULL is null, invalid
//   UTF-8 is replaced by U+FFFD, bidi controls are JSON escapes (\u202e: the same data).

#include <ostream>
#include <string>
#include <string_view>

#include "core/result.h"
#include "report/table.h"

namespace honeyvt::report {

enum class Format { kTable, kCsv, kJson };

// "table", "csv" or "json"; anything else is kInvalidArgument.
Result<Format> ParseFormat(std::string_view text);

void Render(const Document& doc, Format format, std::ostream& out);

// Exposed for tests.
std::string CsvField(std::string_view text);
// Prefixes ' to text starting with = + - @ TAB or CR (applied to text cells, not numbers).
std::string CsvNeutralise(std::string_view text);
std::string TerminalSafe(std::string_view text);

}  // namespace honeyvt::report
