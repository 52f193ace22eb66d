#include "report/format.h"

#include <algorithm>
#include <cstdio>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/bidi.h"

namespace honeyvt::report {
namespace {

std::string CellText(const Cell& cell) {
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&cell)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", *d);
    return buf;
  }
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  return "";
}

bool IsNumber(const Cell& cell) {
  return std::holds_alternative<std::int64_t>(cell) || std::holds_alternative<double>(cell);
}

// Display width: UTF-8 continuation bytes do not take a column.
std::size_t Width(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void RenderTable(const Table& table, std::ostream& out) {
  if (!table.title.empty()) out << TerminalSafe(table.title) << "\n";
  std::vector<std::vector<std::string>> text;
  std::vector<std::size_t> width(table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) width[c] = Width(table.columns[c]);
  for (const Row& row : table.rows) {
    auto& line = text.emplace_back();
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      line.push_back(c < row.size() ? TerminalSafe(CellText(row[c])) : "");
      width[c] = std::max(width[c], Width(line.back()));
    }
  }
  // A column is numeric (right-aligned, header too) when its first non-NULL cell is.
  std::vector<bool> numeric(table.columns.size(), false);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    for (const Row& row : table.rows) {
      if (c < row.size() && !std::holds_alternative<std::monostate>(row[c])) {
        numeric[c] = IsNumber(row[c]);
        break;
      }
    }
  }
  auto emit = [&](const std::vector<std::string>& cells, const Row* row) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(width[c] - Width(cells[c]), ' ');
      const bool right = row == nullptr ? numeric[c] : c < row->size() && IsNumber((*row)[c]);
      if (c > 0) line += "  ";
      line += right ? pad + cells[c] : cells[c] + (c + 1 < cells.size() ? pad : "");
    }
    out << line << "\n";
  };
  emit(table.columns, nullptr);
  std::vector<std::string> rule;
  for (std::size_t w : width) rule.emplace_back(w, '-');
  emit(rule, nullptr);
  for (std::size_t r = 0; r < table.rows.size(); ++r) emit(text[r], &table.rows[r]);
  if (table.rows.empty()) out << "(none)\n";
}

void CsvLine(const std::vector<std::string>& fields, std::ostream& out) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out << ',';
    out << CsvField(EscapeBidi(fields[i]));
  }
  out << "\r\n";
}

void RenderCsv(const Document& doc, std::ostream& out) {
  const bool sectioned = doc.tables.size() > 1 &&
                         std::all_of(doc.tables.begin(), doc.tables.end(), [&](const Table& t) {
                           return t.columns == doc.tables.front().columns;
                         });
  if (sectioned) {
    std::vector<std::string> header{"section"};
    header.insert(header.end(), doc.tables.front().columns.begin(),
                  doc.tables.front().columns.end());
    CsvLine(header, out);
  }
  for (std::size_t t = 0; t < doc.tables.size(); ++t) {
    const Table& table = doc.tables[t];
    if (!sectioned) {
      if (t > 0) out << "\r\n";
      CsvLine(table.columns, out);
    }
    for (const Row& row : table.rows) {
      std::vector<std::string> fields;
      if (sectioned) fields.push_back(table.name);
      for (const Cell& cell : row) {
        // Only text can carry a formula; numbers (even negative ones) stay numbers.
        fields.push_back(std::holds_alternative<std::string>(cell)
                             ? CsvNeutralise(std::get<std::string>(cell))
                             : CellText(cell));
      }
      CsvLine(fields, out);
    }
  }
}

nlohmann::ordered_json TableJson(const Table& table) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const Row& row : table.rows) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < table.columns.size() && c < row.size(); ++c) {
      const Cell& cell = row[c];
      if (const auto* i = std::get_if<std::int64_t>(&cell)) {
        obj[table.columns[c]] = *i;
      } else if (const auto* d = std::get_if<double>(&cell)) {
        obj[table.columns[c]] = *d;
      } else if (const auto* s = std::get_if<std::string>(&cell)) {
        obj[table.columns[c]] = *s;
      } else {
        obj[table.columns[c]] = nullptr;
      }
    }
    rows.push_back(std::move(obj));
  }
  return rows;
}

void RenderJson(const Document& doc, std::ostream& out) {
  nlohmann::ordered_json j;
  if (doc.tables.size() == 1) {
    j = TableJson(doc.tables.front());
  } else {
    j = nlohmann::ordered_json::object();
    for (const Table& table : doc.tables) j[table.name] = TableJson(table);
  }
  // Bidi controls only occur inside strings, where \u202e is the same string once decoded.
  out << EscapeBidi(j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace))
      << "\n";
}

}  // namespace

Result<Format> ParseFormat(std::string_view text) {
  if (text == "table") return Format::kTable;
  if (text == "csv") return Format::kCsv;
  if (text == "json") return Format::kJson;
  return MakeError(ErrorCode::kInvalidArgument,
                   "unknown format '" + std::string(text) + "' (use table, csv or json)");
}

std::string CsvNeutralise(std::string_view text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    std::string out(1, '\'');  // appended: "'" + std::string trips GCC 12's -Wrestrict at -O3
    out += text;
    return out;
  }
  return std::string(text);
}

std::string CsvField(std::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string TerminalSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto byte_escape = [&out](unsigned char u) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", u);
    out += buf;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (u < 0x20 || u == 0x7F) {
      byte_escape(u);
    } else if (u == 0xC2 && next >= 0x80 && next <= 0x9F) {  // C1 control U+0080..U+009F
      byte_escape(u);
      byte_escape(next);
      ++i;
    } else if (const std::size_t n = BidiControlAt(text, i); n > 0) {
      out += EscapeBidi(text.substr(i, n));
      i += n - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

void Render(const Document& doc, Format format, std::ostream& out) {
  switch (format) {
    case Format::kTable:
      for (std::size_t t = 0; t < doc.tables.size(); ++t) {
        if (t > 0) out << "\n";
        RenderTable(doc.tables[t], out);
      }
      return;
    case Format::kCsv:
      RenderCsv(doc, out);
      return;
    case Format::kJson:
      RenderJson(doc, out);
      return;
  }
}

}  // namespace honeyvt::report
