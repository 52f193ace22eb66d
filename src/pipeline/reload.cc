#include "pipeline/reload.h"

namespace honeyvt::pipeline {

std::vector<std::string> KeysNeedingRestart(const Options& running, const Options& next) {
  std::vector<std::string> out;
  auto check = [&](bool same, const char* key) {
    if (!same) out.emplace_back(key);
  };
  check(running.logsql == next.logsql, "logsql");
  check(running.StatePath() == next.StatePath(), "state");
  check(running.api_version == next.api_version, "api_version");
  check(running.base_url == next.base_url, "base_url");
  check(running.api_key_file == next.api_key_file, "api_key_file");
  check(running.api_key.Reveal() == next.api_key.Reveal(), "HONEYVT_API_KEY");
  check(running.ca_bundle == next.ca_bundle, "ca_bundle");
  check(running.proxy == next.proxy, "proxy");
  check(running.connect_timeout == next.connect_timeout, "connect_timeout");
  check(running.request_timeout == next.request_timeout, "request_timeout");
  return out;
}

Options KeepRestartKeys(const Options& running, Options next) {
  next.logsql = running.logsql;
  next.state = running.state;
  next.api_version = running.api_version;
  next.base_url = running.base_url;
  next.api_key_file = running.api_key_file;
  next.api_key = running.api_key;
  next.ca_bundle = running.ca_bundle;
  next.proxy = running.proxy;
  next.connect_timeout = running.connect_timeout;
  next.request_timeout = running.request_timeout;
  return next;
}

Status ApplyReload(const Options& next, PipelineConfig config, Engine& engine, QuotaGovernor& quota,
                   domain::UsageStore& usage, TimePoint now) {
  ASSIGN_OR_RETURN(std::vector<QuotaWindow> windows, ParseQuotaWindows(next.quota));
  QuotaGovernor fresh(std::move(windows), &usage);
  RETURN_IF_ERROR(fresh.Load(now));
  if (quota.paused_until() > now) fresh.PauseUntil(quota.paused_until());
  quota = std::move(fresh);
  engine.Reconfigure(std::move(config));
  return OkStatus();
}

}  // namespace honeyvt::pipeline
