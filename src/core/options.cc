#include "core/options.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include <toml++/toml.h>

#include "core/api_limits.h"
#include "core/quota_window.h"
#include "core/strings.h"

extern char** environ;

namespace honeyvt {
namespace {

// A setting's value as read from TOML (typed) or from text (env, flags).
struct Value {
  std::string text;               // scalar text form
  std::vector<std::string> list;  // array items (TOML arrays; comma-split text)
  bool is_list = false;
};

using Setter = std::function<Status(Options&, const Value&)>;

Error Bad(std::string_view key, const Value& v, std::string_view want) {
  return MakeError(
      ErrorCode::kInvalidArgument,
      "bad value '" + v.text + "' for '" + std::string(key) + "': expected " + std::string(want));
}

Result<std::chrono::seconds> ParseDuration(std::string_view s) {
  std::string t = Trim(s);
  if (t.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty duration");
  std::int64_t mult = 1;
  char unit = t.back();
  if (!std::isdigit(static_cast<unsigned char>(unit))) {
    switch (unit) {
      case 's':
        mult = 1;
        break;
      case 'm':
        mult = 60;
        break;
      case 'h':
        mult = 3600;
        break;
      case 'd':
        mult = 86400;
        break;
      default:
        return MakeError(ErrorCode::kInvalidArgument, "bad unit");
    }
    t.pop_back();
  }
  auto n = ParseInt(t);
  if (!n || *n < 0 || *n > (std::int64_t{1} << 40) / mult) {
    return MakeError(ErrorCode::kInvalidArgument, "bad duration");
  }
  return std::chrono::seconds(*n * mult);
}

Result<std::int64_t> ParseSize(std::string_view s) {
  std::string t = Trim(s);
  std::int64_t mult = 1;
  struct Suffix {
    const char* text;
    std::int64_t mult;
  };
  static constexpr Suffix kSuffixes[] = {
      {"KiB", 1024}, {"MiB", 1024LL * 1024}, {"GiB", 1024LL * 1024 * 1024},
      {"KB", 1000},  {"MB", 1000LL * 1000},  {"GB", 1000LL * 1000 * 1000},
      {"B", 1}};
  for (const auto& suf : kSuffixes) {
    std::string_view sv(suf.text);
    if (t.size() > sv.size() && t.compare(t.size() - sv.size(), sv.size(), sv) == 0) {
      mult = suf.mult;
      t.resize(t.size() - sv.size());
      t = Trim(t);
      break;
    }
  }
  auto n = ParseInt(t);
  if (!n || *n < 0 || *n > (std::int64_t{1} << 50) / mult) {
    return MakeError(ErrorCode::kInvalidArgument, "bad size");
  }
  return *n * mult;
}

Result<bool> ParseBool(std::string_view s) {
  std::string t = ToLower(Trim(s));
  if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return false;
  return MakeError(ErrorCode::kInvalidArgument, "bad bool");
}

std::vector<std::string> AsList(const Value& v) {
  if (v.is_list) return v.list;
  std::vector<std::string> out;
  if (Trim(v.text).empty()) return out;
  for (auto& item : Split(v.text, ',')) out.push_back(Trim(item));
  return out;
}

Result<UploadPolicy> ParseUploadPolicy(std::string_view text) {
  const std::string t = ToLower(Trim(text));
  if (t == "always") return UploadPolicy::kAlways;
  if (t == "never") return UploadPolicy::kNever;
  return MakeError(ErrorCode::kInvalidArgument, "");
}

struct KeyDef {
  const char* key;
  const char* want;  // human description of the accepted values
  Setter set;
  bool explains = false;  // the setter's error message says what is wrong (quota windows)
};

Setter PathSetter(std::filesystem::path Options::*field) {
  return [field](Options& o, const Value& v) -> Status {
    o.*field = v.text;
    return OkStatus();
  };
}

Setter SecondsSetter(std::chrono::seconds Options::*field) {
  return [field](Options& o, const Value& v) -> Status {
    auto d = ParseDuration(v.text);
    if (!d) return d.error();
    o.*field = *d;
    return OkStatus();
  };
}

// A duration that must not be zero (an interval between polls or scans).
Setter PositiveSecondsSetter(std::chrono::seconds Options::*field) {
  return [field](Options& o, const Value& v) -> Status {
    auto d = ParseDuration(v.text);
    if (!d) return d.error();
    if (d->count() < 1) return MakeError(ErrorCode::kInvalidArgument, "zero interval");
    o.*field = *d;
    return OkStatus();
  };
}

Setter BoolSetter(bool Options::*field) {
  return [field](Options& o, const Value& v) -> Status {
    auto b = ParseBool(v.text);
    if (!b) return b.error();
    o.*field = *b;
    return OkStatus();
  };
}

const std::vector<KeyDef>& Keys() {
  static const std::vector<KeyDef> keys = {
      {"logsql", "a path", PathSetter(&Options::logsql)},
      {"state", "a path", PathSetter(&Options::state)},
      {"binaries", "a path", PathSetter(&Options::binaries)},
      {"watch", "a list of directories",
       [](Options& o, const Value& v) -> Status {
         // The text form (environment, --set) replaces the list; per-folder policies
         // come only from [[watch]] tables of the config file.
         o.watch.clear();
         o.folder_policy.clear();
         for (auto& p : AsList(v)) o.watch.emplace_back(p);
         return OkStatus();
       }},
      {"api_version", "3 or 2",
       [](Options& o, const Value& v) -> Status {
         auto n = ParseInt(Trim(v.text));
         if (!n || (*n != 2 && *n != 3)) return MakeError(ErrorCode::kInvalidArgument, "");
         o.api_version = static_cast<int>(*n);
         return OkStatus();
       }},
      {"base_url", "an http:// or https:// URL",
       [](Options& o, const Value& v) -> Status {
         std::string t = Trim(v.text);
         if (!t.empty() && t.rfind("http://", 0) != 0 && t.rfind("https://", 0) != 0) {
           return MakeError(ErrorCode::kInvalidArgument, "");
         }
         o.base_url = t;
         return OkStatus();
       }},
      {"api_key_file", "a path", PathSetter(&Options::api_key_file)},
      {"api_key_file_insecure_ok", "true or false", BoolSetter(&Options::api_key_file_insecure_ok)},
      {"quota", "a list of windows like \"4/1m\", \"500/1d\", \"15500/1mo\"",
       [](Options& o, const Value& v) -> Status {
         auto list = AsList(v);
         if (list.empty()) return MakeError(ErrorCode::kInvalidArgument, "");
         RETURN_IF_ERROR(ParseQuotaWindows(list));
         o.quota = list;
         return OkStatus();
       },
       true},
      {"v2_batch_size", "an integer from 1 to 25",
       [](Options& o, const Value& v) -> Status {
         auto n = ParseInt(Trim(v.text));
         if (!n || *n < 1 || *n > kV2MaxBatch) return MakeError(ErrorCode::kInvalidArgument, "");
         o.v2_batch_size = static_cast<int>(*n);
         return OkStatus();
       }},
      {"ca_bundle", "a path", PathSetter(&Options::ca_bundle)},
      {"proxy", "a proxy URL",
       [](Options& o, const Value& v) -> Status {
         o.proxy = Trim(v.text);
         return OkStatus();
       }},
      {"connect_timeout", "a duration (30, 30s, 2m)", SecondsSetter(&Options::connect_timeout)},
      {"request_timeout", "a duration (300, 5m)", SecondsSetter(&Options::request_timeout)},
      {"upload", "always or never",
       [](Options& o, const Value& v) -> Status {
         ASSIGN_OR_RETURN(o.upload, ParseUploadPolicy(v.text));
         return OkStatus();
       }},
      {"max_upload_size", "a size in bytes (650MB, 32MiB, 1000000)",
       [](Options& o, const Value& v) -> Status {
         auto n = ParseSize(v.text);
         if (!n) return n.error();
         o.max_upload_size = *n;
         return OkStatus();
       }},
      {"comment", "true or false", BoolSetter(&Options::comment)},
      {"comment_text", "text",
       [](Options& o, const Value& v) -> Status {
         o.comment_text = v.text;
         return OkStatus();
       }},
      {"comment_delay", "a duration (60, 60s, 2m)", SecondsSetter(&Options::comment_delay)},
      {"refresh", "true or false", BoolSetter(&Options::refresh)},
      {"refresh_age", "a duration (30d)", SecondsSetter(&Options::refresh_age)},
      {"refresh_below", "an integer >= 0",
       [](Options& o, const Value& v) -> Status {
         auto n = ParseInt(Trim(v.text));
         if (!n || *n < 0 || *n > 1000) return MakeError(ErrorCode::kInvalidArgument, "");
         o.refresh_below = static_cast<int>(*n);
         return OkStatus();
       }},
      {"follow_poll_interval", "a duration of at least 1s (2s, 10s)",
       PositiveSecondsSetter(&Options::follow_poll_interval)},
      {"follow_file_grace", "a duration (600, 10m)", SecondsSetter(&Options::follow_file_grace)},
      {"follow_rescan_interval", "a duration of at least 1s (300, 5m)",
       PositiveSecondsSetter(&Options::follow_rescan_interval)},
      {"web", "HOST:PORT to serve the dashboard on (empty = off)",
       [](Options& o, const Value& v) -> Status {
         std::string t = Trim(v.text);
         const auto colon = t.rfind(':');
         if (!t.empty() &&
             (colon == std::string::npos || colon == 0 || !ParseInt(t.substr(colon + 1)) ||
              *ParseInt(t.substr(colon + 1)) < 0 || *ParseInt(t.substr(colon + 1)) > 65535)) {
           return MakeError(ErrorCode::kInvalidArgument, "");
         }
         o.web = t;
         return OkStatus();
       }},
      {"web_token_file", "a path", PathSetter(&Options::web_token_file)},
      {"web_hosts", "a list of host names",
       [](Options& o, const Value& v) -> Status {
         o.web_hosts = AsList(v);
         return OkStatus();
       }},
      {"log_level", "trace, debug, info, warn, error or off",
       [](Options& o, const Value& v) -> Status {
         std::string t = ToLower(Trim(v.text));
         static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
         for (const char* l : kLevels) {
           if (t == l) {
             o.log_level = t;
             return OkStatus();
           }
         }
         return MakeError(ErrorCode::kInvalidArgument, "");
       }},
  };
  return keys;
}

const KeyDef* FindKey(std::string_view key) {
  for (const auto& k : Keys()) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

Status Apply(Options& options, std::string_view key, const Value& value,
             const SettingSource& source) {
  const KeyDef* def = FindKey(key);
  if (def == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     source.where + ": unknown configuration key '" + std::string(key) + "'");
  }
  Status st = def->set(options, value);
  if (!st) {
    Error e = def->explains && !st.error().message.empty()
                  ? MakeError(ErrorCode::kInvalidArgument,
                              "'" + std::string(key) + "': " + st.error().message)
                  : Bad(key, value, def->want);
    e.message = source.where + ": " + e.message;
    return e;
  }
  return OkStatus();
}

// Renders a TOML scalar as text; returns false for tables and other non-scalars.
bool ScalarText(const toml::node& node, std::string& out) {
  if (auto s = node.value<std::string>(); s && node.is_string()) {
    out = *s;
  } else if (node.is_integer()) {
    out = std::to_string(*node.value<std::int64_t>());
  } else if (node.is_boolean()) {
    out = *node.value<bool>() ? "true" : "false";
  } else if (node.is_floating_point()) {
    std::ostringstream os;
    os << *node.value<double>();
    out = os.str();
  } else {
    return false;
  }
  return true;
}

// `watch` in a config file: an array whose items are folder paths (strings) or tables
// {path = "...", upload = "always"|"never", comment = true|false} (the [[watch]] form).
Status LoadWatchArray(Options& options, const toml::array& items, const std::string& file) {
  options.watch.clear();
  options.folder_policy.clear();
  for (const toml::node& item : items) {
    const std::string where = file + ":" + std::to_string(item.source().begin.line);
    if (auto path = item.value<std::string>(); path && item.is_string()) {
      options.watch.emplace_back(*path);
      continue;
    }
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where +
                           ": 'watch' items are folder paths or tables with path, upload "
                           "and comment");
    }
    FolderPolicy policy;
    for (const auto& [k, v] : *table) {
      const std::string key(k.str());
      const std::string at = file + ":" + std::to_string(v.source().begin.line);
      auto bad = [&](std::string_view want) {
        return MakeError(ErrorCode::kInvalidArgument,
                         at + ": bad value for 'watch." + key + "': expected " + std::string(want));
      };
      if (key == "path") {
        auto p = v.value<std::string>();
        if (!p || !v.is_string() || Trim(*p).empty()) return bad("a folder path");
        policy.folder = *p;
      } else if (key == "upload") {
        auto u = v.value<std::string>();
        if (!u || !v.is_string()) return bad("always or never");
        auto parsed = ParseUploadPolicy(*u);
        if (!parsed) return bad("always or never");
        policy.upload = *parsed;
      } else if (key == "comment") {
        if (!v.is_boolean()) return bad("true or false");
        policy.comment = *v.value<bool>();
      } else {
        return MakeError(ErrorCode::kInvalidArgument,
                         at + ": unknown key 'watch." + key + "' (path, upload, comment)");
      }
    }
    if (policy.folder.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, where + ": a [[watch]] table needs a path");
    }
    options.watch.push_back(policy.folder);
    if (policy.upload || policy.comment) options.folder_policy.push_back(std::move(policy));
  }
  return OkStatus();
}

}  // namespace

std::filesystem::path Options::StatePath() const {
  if (!state.empty()) return state;
  return logsql.parent_path() / "honeyvt-state.sqlite";
}

Status ApplySetting(Options& options, std::string_view key, std::string_view value,
                    const SettingSource& source) {
  Value v;
  v.text = std::string(value);
  return Apply(options, key, v, source);
}

Status LoadConfigFile(Options& options, const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kNotFound, "cannot read config file '" + path.string() + "'");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  toml::table table;
  try {
    table = toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    return MakeError(ErrorCode::kInvalidArgument, path.string() + ":" +
                                                      std::to_string(e.source().begin.line) + ": " +
                                                      std::string(e.description()));
  }
  for (const auto& [key, node] : table) {
    const std::string where = path.string() + ":" + std::to_string(node.source().begin.line);
    if (key.str() == "watch" && node.is_array()) {
      RETURN_IF_ERROR(LoadWatchArray(options, *node.as_array(), path.string()));
      continue;
    }
    Value v;
    if (const toml::array* arr = node.as_array()) {
      v.is_list = true;
      for (const auto& item : *arr) {
        std::string t;
        if (!ScalarText(item, t)) {
          return MakeError(ErrorCode::kInvalidArgument,
                           where + ": '" + std::string(key.str()) + "' holds a nested value");
        }
        v.list.push_back(t);
        v.text += (v.text.empty() ? "" : ",") + t;
      }
    } else if (!ScalarText(node, v.text)) {
      if (FindKey(key.str()) == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument,
                         where + ": unknown configuration key '" + std::string(key.str()) + "'");
      }
      return MakeError(ErrorCode::kInvalidArgument,
                       where + ": '" + std::string(key.str()) + "' must be a value, not a table");
    }
    if (std::string(key.str()) == "api_key") {
      return MakeError(ErrorCode::kInvalidArgument,
                       where +
                           ": 'api_key' is not accepted in a config file; use "
                           "api_key_file or the HONEYVT_API_KEY environment variable");
    }
    RETURN_IF_ERROR(Apply(options, key.str(), v, SettingSource{where}));
  }
  return OkStatus();
}

Status ApplyEnvironment(Options& options, const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    if (name.rfind("HONEYVT_", 0) != 0) continue;
    std::string key = ToLower(name.substr(8));
    if (key == "api_key") {
      options.api_key = Secret(Trim(value));
      continue;
    }
    if (key == "config") continue;  // handled by the CLI
    RETURN_IF_ERROR(ApplySetting(options, key, value, SettingSource{name}));
  }
  return OkStatus();
}

Status ResolveApiKey(Options& options) {
  if (!options.api_key.empty() || options.api_key_file.empty()) return OkStatus();
  const std::string shown = options.api_key_file.string();
  const int fd = ::open(options.api_key_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "cannot read api_key_file '" + shown + "': " + std::strerror(err));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "api_key_file '" + shown + "' is not a regular file");
  }
  if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0 && !options.api_key_file_insecure_ok) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return MakeError(ErrorCode::kInvalidArgument,
                     "api_key_file '" + shown + "' is readable by group or others (mode " + mode +
                         "); make it readable by its owner only (chmod 600), or set "
                         "api_key_file_insecure_ok = true");
  }
  std::string line;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, "cannot read api_key_file '" + shown + "'");
    }
    line.append(buf, static_cast<std::size_t>(n));
    if (line.find('\n') != std::string::npos || line.size() > 65536) break;
  }
  line = Trim(line.substr(0, line.find('\n')));
  if (line.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "api_key_file '" + options.api_key_file.string() + "' is empty");
  }
  options.api_key = Secret(line);
  return OkStatus();
}

void ForgetApiKeyEnvironment() {
  static constexpr std::string_view kPrefix = "HONEYVT_API_KEY=";
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with(kPrefix)) {
      char* value = *e + kPrefix.size();
      std::memset(value, 0, std::strlen(value));
    }
  }
  ::unsetenv("HONEYVT_API_KEY");
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

std::vector<std::string> ConfigKeys() {
  std::vector<std::string> out;
  for (const auto& k : Keys()) out.emplace_back(k.key);
  return out;
}

}  // namespace honeyvt
