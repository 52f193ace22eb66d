#include "core/time_spec.h"

#include <cctype>
#include <cmath>
#include <ctime>
#include <string>

#include "core/strings.h"

namespace honeyvt {
namespace {

Error BadSpec(std::string_view text) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "invalid time '" + std::string(text) + "': expected " +
                       std::string(kTimeSpecForms));
}

// Reads exactly `n` digits at `pos`.
bool ReadDigits(std::string_view s, std::size_t& pos, int n, int& out) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + static_cast<std::size_t>(i)];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  out = v;
  return true;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool ValidDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

Result<double> ParseIso(std::string_view s) {
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, mo) || pos >= s.size() || s[pos++] != '-' ||
      !ReadDigits(s, pos, 2, d)) {
    return BadSpec(s);
  }
  if (!ValidDate(y, mo, d)) return BadSpec(s);
  double frac = 0;
  bool has_zone = false;
  int zone_offset = 0;  // seconds east of UTC
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return BadSpec(s);
    ++pos;
    if (!ReadDigits(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':' ||
        !ReadDigits(s, pos, 2, mi)) {
      return BadSpec(s);
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadDigits(s, pos, 2, sec)) return BadSpec(s);
      if (pos < s.size() && s[pos] == '.') {
        std::size_t start = pos;
        ++pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
        if (pos == start + 1) return BadSpec(s);
        frac = std::stod(std::string("0") + std::string(s.substr(start, pos - start)));
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return BadSpec(s);
    if (pos < s.size()) {
      if (s[pos] == 'Z' && pos + 1 == s.size()) {
        has_zone = true;
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int zh = 0, zm = 0;
        if (!ReadDigits(s, pos, 2, zh) || pos >= s.size() || s[pos++] != ':' ||
            !ReadDigits(s, pos, 2, zm) || zh > 23 || zm > 59) {
          return BadSpec(s);
        }
        has_zone = true;
        zone_offset = sign * (zh * 3600 + zm * 60);
      }
    }
  }
  if (pos != s.size()) return BadSpec(s);
  if (has_zone) {
    std::int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    double t = static_cast<double>(days * 86400 + h * std::int64_t{3600} + mi * std::int64_t{60} + sec - zone_offset);
    return t + frac;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  tm.tm_isdst = -1;
  std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1) && !(y == 1969 && mo == 12 && d == 31)) {
    return BadSpec(s);
  }
  return static_cast<double>(t) + frac;
}

}  // namespace

Result<double> ParseTimeSpec(std::string_view text, TimePoint now) {
  if (text.empty()) return BadSpec(text);
  if (auto v = ParseDecimal(text)) {
    if (text.front() == '-' || text.front() == '+') return BadSpec(text);
    if (!std::isfinite(*v)) return BadSpec(text);
    return *v;
  }
  char unit = text.back();
  std::string_view amount = text.substr(0, text.size() - 1);
  if (!amount.empty() && std::isdigit(static_cast<unsigned char>(amount.front()))) {
    auto n = ParseInt(amount);
    std::int64_t mult = 0;
    switch (unit) {
      case 's': mult = 1; break;
      case 'm': mult = 60; break;
      case 'h': mult = 3600; break;
      case 'd': mult = 86400; break;
      case 'w': mult = std::int64_t{7} * 86400; break;
      default: break;
    }
    if (n && mult != 0) {
      if (*n > (std::int64_t{1} << 40) / mult) return BadSpec(text);
      return ToUnixSeconds(now) - static_cast<double>(*n * mult);
    }
  }
  if (text.size() >= 10 && text[4] == '-') return ParseIso(text);
  return BadSpec(text);
}

Result<std::int64_t> ParseUtcDateTime(std::string_view text) {
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, mo) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, d) || pos >= text.size() || text[pos++] != ' ' ||
      !ReadDigits(text, pos, 2, h) || pos >= text.size() || text[pos++] != ':' ||
      !ReadDigits(text, pos, 2, mi) || pos >= text.size() || text[pos++] != ':' ||
      !ReadDigits(text, pos, 2, sec) || pos != text.size() || !ValidDate(y, mo, d) ||
      h > 23 || mi > 59 || sec > 60) {
    return MakeError(ErrorCode::kCorrupt,
                     "bad UTC date-time '" + std::string(text) + "' (want YYYY-MM-DD HH:MM:SS)");
  }
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
         h * std::int64_t{3600} + mi * std::int64_t{60} + sec;
}

std::string FormatUtcDateTime(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace honeyvt
