#include "core/options_view.h"

#include <map>

namespace honeyvt {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }
std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + "ms"; }

}  // namespace

std::string WithoutCredentials(std::string_view url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const auto end = url.find_first_of("/?#", start);
  const auto at = url.rfind('@', end == std::string_view::npos ? url.size() : end);
  if (at == std::string_view::npos || at < start) return std::string(url);
  return std::string(url.substr(0, start)) + "<redacted>@" + std::string(url.substr(at + 1));
}

std::string DsnWithoutPassword(std::string_view dsn) {
  if (dsn.find("://") != std::string_view::npos) return WithoutCredentials(dsn);
  // libpq keyword form: every `password = value` (quoted or not) loses its value.
  std::string out(dsn);
  std::size_t from = 0;
  while ((from = out.find("password", from)) != std::string::npos) {
    std::size_t i = from + 8;
    while (i < out.size() && out[i] == ' ') ++i;
    if (i >= out.size() || out[i] != '=') {
      from = i;
      continue;
    }
    ++i;
    while (i < out.size() && out[i] == ' ') ++i;
    std::size_t end = i;
    if (end < out.size() && out[end] == '\'') {
      for (++end; end < out.size() && out[end] != '\''; ++end) {
        if (out[end] == '\\') ++end;
      }
      if (end < out.size()) ++end;
    } else {
      while (end < out.size() && out[end] != ' ') ++end;
    }
    out.replace(i, end - i, "<redacted>");
    from = i + 10;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> OptionValues(const Options& o) {
  std::vector<std::string> watch;
  for (const auto& w : o.watch) watch.push_back(w.string());
  const std::map<std::string, std::string> values = {
      {"logsql", o.logsql.string()},
      {"state", o.StatePath().string()},
      {"binaries", o.binaries.string()},
      {"watch", Join(watch)},
      {"api_version", std::to_string(o.api_version)},
      {"base_url", WithoutCredentials(o.base_url)},
      {"api_key_file", o.api_key_file.string()},
      {"api_key_file_insecure_ok", o.api_key_file_insecure_ok ? "true" : "false"},
      {"follow_poll_interval", Seconds(o.follow_poll_interval)},
      {"follow_file_grace", Seconds(o.follow_file_grace)},
      {"follow_rescan_interval", Seconds(o.follow_rescan_interval)},
      {"quota", Join(o.quota)},
      {"v2_batch_size", std::to_string(o.v2_batch_size)},
      {"ca_bundle", o.ca_bundle.string()},
      {"proxy", WithoutCredentials(o.proxy)},
      {"connect_timeout", Seconds(o.connect_timeout)},
      {"request_timeout", Seconds(o.request_timeout)},
      {"upload", o.upload == UploadPolicy::kAlways ? "always" : "never"},
      {"max_upload_size", std::to_string(o.max_upload_size)},
      {"comment", o.comment ? "true" : "false"},
      {"comment_text", o.comment_text},
      {"comment_delay", Seconds(o.comment_delay)},
      {"refresh", o.refresh ? "true" : "false"},
      {"refresh_age", Seconds(o.refresh_age)},
      {"refresh_below", std::to_string(o.refresh_below)},
      {"log_level", o.log_level},
      {"web", o.web},
      {"web_token_file", o.web_token_file.string()},
      {"web_hosts", Join(o.web_hosts)},
      {"fleet_dsn", DsnWithoutPassword(o.fleet_dsn)},
      {"sensor", o.sensor},
      {"fleet_heartbeat", Millis(o.fleet_heartbeat)},
      {"fleet_lease", Millis(o.fleet_lease)},
      {"fleet_send_deadline", Millis(o.fleet_send_deadline)},
      {"fleet_boundary_guard", Millis(o.fleet_boundary_guard)},
      {"fleet_sliding_margin", Millis(o.fleet_sliding_margin)},
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& key : ConfigKeys()) {
    auto it = values.find(key);
    // A key added to options.cc without a line here shows as such (a test catches it).
    out.emplace_back(key, it == values.end() ? "(not shown)" : it->second);
  }
  out.emplace_back("api_key", o.api_key.empty() ? "not set" : "set");
  return out;
}

}  // namespace honeyvt
