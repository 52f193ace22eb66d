#include "store/pg/dsn.h"

#include <libpq-fe.h>

#include <memory>

namespace honeyvt::pg {
namespace {

struct OptionsDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using OptionsPtr = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

struct ErrorDeleter {
  void operator()(char* e) const { PQfreemem(e); }
};

Result<OptionsPtr> Parse(std::string_view dsn) {
  char* raw_error = nullptr;
  OptionsPtr options(PQconninfoParse(std::string(dsn).c_str(), &raw_error));
  std::unique_ptr<char, ErrorDeleter> error(raw_error);
  if (!options) {
    std::string why = error ? ScrubSecrets(error.get()) : std::string("out of memory");
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return MakeError(ErrorCode::kInvalidArgument, "invalid PostgreSQL connection string: " + why);
  }
  return options;
}

bool Secret(const PQconninfoOption& o) {
  // libpq marks password-like options with "*" in dispchar.
  return o.dispchar != nullptr && o.dispchar[0] == '*';
}

}  // namespace

Status ValidateDsn(std::string_view dsn) {
  auto parsed = Parse(dsn);
  if (!parsed) return std::move(parsed).error();
  return OkStatus();
}

std::string RedactDsn(std::string_view dsn) {
  auto parsed = Parse(dsn);
  if (!parsed) return "(unparsable DSN)";
  std::string out;
  for (const PQconninfoOption* o = parsed->get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (!out.empty()) out += ' ';
    out += o->keyword;
    out += '=';
    out += Secret(*o) ? std::string("***") : std::string(o->val);
  }
  return out.empty() ? std::string("(libpq defaults)") : out;
}

bool DsnHasPassword(std::string_view dsn) {
  auto parsed = Parse(dsn);
  if (!parsed) return false;
  for (const PQconninfoOption* o = parsed->get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr && Secret(*o) && o->val[0] != '\0') return true;
  }
  return false;
}

std::string ScrubSecrets(std::string_view text) {
  std::string out(text);
  // keyword form: password=value or password = 'quoted value'
  for (std::size_t pos = 0; (pos = out.find("password", pos)) != std::string::npos;) {
    std::size_t i = pos + 8;
    while (i < out.size() && out[i] == ' ') ++i;
    if (i >= out.size() || out[i] != '=') {
      pos = i;
      continue;
    }
    ++i;
    while (i < out.size() && out[i] == ' ') ++i;
    std::size_t end = i;
    if (end < out.size() && out[end] == '\'') {
      ++end;
      while (end < out.size() && out[end] != '\'') end += out[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, out.size());
    } else {
      while (end < out.size() && out[end] != ' ' && out[end] != '&' && out[end] != '"') ++end;
    }
    out.replace(i, end - i, "***");
    pos = i + 3;
  }
  // URI form: scheme://user:password@host
  for (std::size_t pos = 0; (pos = out.find("://", pos)) != std::string::npos;) {
    const std::size_t start = pos + 3;
    const std::size_t at = out.find('@', start);
    const std::size_t slash = out.find_first_of("/ \"", start);
    if (at == std::string::npos || (slash != std::string::npos && slash < at)) {
      pos = start;
      continue;
    }
    const std::size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    pos = start;
  }
  return out;
}

}  // namespace honeyvt::pg
