#include "web/api_util.h"

#include <cmath>

#include "core/strings.h"
#include "web/security.h"

namespace honeyvt::web {
namespace {

std::string CsvField(const nlohmann::json& v) {
  std::string text;
  if (v.is_null()) return "";
  if (v.is_string()) {
    text = CsvSafe(v.get<std::string>());
  } else {
    text = v.dump();
  }
  if (text.find_first_of(",\"\r\n") != std::string::npos ||
      (!text.empty() && (text.front() == ' ' || text.back() == ' '))) {
    std::string q = "\"";
    for (char c : text) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  }
  return text;
}

}  // namespace

nlohmann::json Window::ToJson() const {
  return {
      {"from", from}, {"to", to}, {"hour_from", hour_from}, {"hour_to", hour_to}, {"label", label}};
}

Result<Window> ParseWindow(const Request& request, TimePoint now) {
  Window w;
  const double t = ToUnixSeconds(now);
  if (request.HasParam("from") || request.HasParam("to")) {
    auto from = ParseDecimal(request.Param("from").empty() ? "0" : request.Param("from"));
    auto to =
        request.Param("to").empty() ? std::optional<double>(t) : ParseDecimal(request.Param("to"));
    if (!from || !to || *from < 0 || *to < *from || *to > 1e11) {
      return MakeError(ErrorCode::kInvalidArgument, "from/to must be Unix seconds, from <= to");
    }
    w.from = *from;
    w.to = *to;
    w.label = "fixed";
  } else {
    w.label = request.Param("window").empty() ? "24h" : request.Param("window");
    static const std::pair<const char*, double> kSpans[] = {
        {"1h", 3600}, {"24h", 86400}, {"7d", 7 * 86400}, {"30d", 30 * 86400}, {"all", -1}};
    bool found = false;
    for (const auto& [name, span] : kSpans) {
      if (w.label == name) {
        found = true;
        w.to = t;
        w.from = span < 0 ? 0 : t - span;
      }
    }
    if (!found) {
      return MakeError(ErrorCode::kInvalidArgument, "window must be 1h, 24h, 7d, 30d or all");
    }
  }
  w.hour_from = static_cast<std::int64_t>(std::floor(w.from / 3600)) * 3600;
  w.hour_to = static_cast<std::int64_t>(std::ceil(w.to / 3600)) * 3600;
  if (w.hour_to == w.hour_from) w.hour_to += 3600;
  return w;
}

std::vector<std::int64_t> ChartBuckets(const Window& w, std::int64_t bucket,
                                       std::optional<std::int64_t> first,
                                       std::optional<std::int64_t> last) {
  std::vector<std::int64_t> out;
  if (bucket <= 0) return out;
  auto floor_to = [bucket](double t) {
    return static_cast<std::int64_t>(std::floor(t / static_cast<double>(bucket))) * bucket;
  };
  std::int64_t start = w.from > 0 ? floor_to(w.from) : first.value_or(floor_to(w.to));
  std::int64_t end = floor_to(std::max(w.from, w.to - 1e-3));
  if (first) start = std::min(start, *first);
  if (last) end = std::max(end, *last);
  if (!first && w.from <= 0) return out;  // nothing anywhere: no chart
  if (end - start < 2 * bucket) {
    // One bucket of data (or a window shorter than three): one empty bucket each side.
    start = std::min(start, end) - bucket;
    end = std::max(end, start + 2 * bucket);
  }
  for (std::int64_t b = start; b <= end && out.size() < 20000; b += bucket) out.push_back(b);
  return out;
}

Response Json(const nlohmann::json& body) {
  Response r;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response FromError(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
      return ErrorResponse(400, e.message);
    case ErrorCode::kNotFound:
      return ErrorResponse(404, e.message);
    case ErrorCode::kBusy:
      return ErrorResponse(503, "the database is busy (dionaea is writing); try again");
    default:
      return ErrorResponse(500, e.ToString());
  }
}

Response TableResponse(const Request& request, const ApiTable& table, const std::string& name,
                       nlohmann::json extra) {
  if (request.Param("format") == "csv") {
    std::string out;
    // Appended piece by piece: "," + std::string trips GCC 12's -Wrestrict at -O3.
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      if (i > 0) out += ',';
      out += CsvField(table.columns[i]);
    }
    out += "\r\n";
    for (const auto& row : table.rows) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i > 0) out += ',';
        out += CsvField(row[i]);
      }
      out += "\r\n";
    }
    Response r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = std::move(out);
    r.SetHeader("Content-Disposition", "attachment; filename=\"honeyvt-" + name + ".csv\"");
    return r;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : table.rows) {
    nlohmann::json o = nlohmann::json::object();
    for (std::size_t i = 0; i < row.size() && i < table.columns.size(); ++i)
      o[table.columns[i]] = row[i];
    rows.push_back(std::move(o));
  }
  if (request.Param("format") == "json") {
    Response r = Json(rows);
    r.SetHeader("Content-Disposition", "attachment; filename=\"honeyvt-" + name + ".json\"");
    return r;
  }
  extra["rows"] = std::move(rows);
  return Json(extra);
}

std::optional<std::int64_t> IntParam(const Request& request, const std::string& name) {
  if (!request.HasParam(name) || request.Param(name).empty()) return std::nullopt;
  return ParseInt(request.Param(name));
}

std::string HashParam(std::string_view text) {
  const std::string t = ToLower(text);
  if (IsHex(t, 32) || IsHex(t, 40) || IsHex(t, 64)) return t;
  return "";
}

std::string ShellQuote(std::string_view text) {
  bool plain = !text.empty();
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("-_./:=+,@%").find(c) != std::string_view::npos;
    plain = plain && ok;
  }
  if (plain) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace honeyvt::web
