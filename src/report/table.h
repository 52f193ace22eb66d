#pragma once
// The result of every report: one or more named tables of typed cells, independent of
// how they are printed (format.h). Reports fill a Document; the CLI renders it.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace honeyvt::report {

// A cell: empty (NULL), an integer, a real number or text. Text is whatever the database
// held (possibly invalid UTF-8 or control characters); renderers make it safe.
using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;
using Row = std::vector<Cell>;

struct Table {
  std::string name;                  // machine name: JSON key, CSV "section" value
  std::string title;                 // human heading printed above an aligned table
  std::vector<std::string> columns;  // column names (CSV header, JSON keys)
  std::vector<Row> rows;             // each row has columns.size() cells
};

struct Document {
  std::vector<Table> tables;
  // Remarks for a human (e.g. "no history recorded"); the CLI prints them on stderr so
  // CSV/JSON on stdout stay machine-readable.
  std::vector<std::string> notes;
};

}  // namespace honeyvt::report
