#pragma once
// honeyvt's configuration: one plain struct, filled from (lowest to highest precedence)
// built-in defaults, a TOML file, HONEYVT_* environment variables and command-line flags,
// then passed by const reference. No globals. See docs/configuration.md for every key.
//
// The VirusTotal API key is deliberately not a settable key: it comes only from the
// HONEYVT_API_KEY environment variable or from `api_key_file`, never from a flag (a flag
// would show in `ps`), and it is held in a Secret that cannot be printed.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/secret.h"

namespace honeyvt {

enum class UploadPolicy { kAlways, kNever };

// What may be sent for samples of one watched folder ([[watch]] tables of the config
// file). An unset key follows the global one; a set key can only restrict: the policy of
// a folder is the stricter of its own keys and the global `upload` / `comment`.
struct FolderPolicy {
  std::filesystem::path folder;
  std::optional<UploadPolicy> upload;
  std::optional<bool> comment;
};

inline constexpr std::string_view kDefaultCommentText =
    "This sample was captured in the wild and uploaded by the dionaea honeypot.\n"
    "#honeypot #malware #networkworm";

struct Options {
  // Paths. dionaea >= 0.8.0 default layout.
  std::filesystem::path logsql = "/opt/dionaea/var/lib/dionaea/dionaea.sqlite";
  // honeyvt's own state database; empty = "honeyvt-state.sqlite" beside `logsql`.
  std::filesystem::path state;
  // Directory dionaea stores samples in, named by md5.
  std::filesystem::path binaries = "/opt/dionaea/var/lib/dionaea/binaries";
  // Extra directories of samples to follow (any honeypot; identified by content hash).
  std::vector<std::filesystem::path> watch;
  // Per-folder upload/comment policy of `watch` folders, from [[watch]] tables (config
  // file only); folders without an entry follow the global keys.
  std::vector<FolderPolicy> folder_policy;

  // VirusTotal.
  int api_version = 3;                 // 3 or 2
  std::string base_url;                // empty = VirusTotal's own for the version
  std::filesystem::path api_key_file;  // file holding the key (first line); mode 0600
  // Accept an api_key_file that group or others may read (refused by default, like ssh).
  bool api_key_file_insecure_ok = false;
  Secret api_key;  // from HONEYVT_API_KEY or api_key_file; never printed
  // Quota windows, "<requests>/<n><unit>" with unit s, m, h, d (UTC day), mo (UTC month).
  std::vector<std::string> quota = {"4/1m", "500/1d", "15500/1mo"};
  int v2_batch_size = 4;            // resources per v2 file/report call (4 public, up to 25)
  std::filesystem::path ca_bundle;  // empty = system default
  std::string proxy;                // empty = libcurl's standard *_proxy environment variables
  std::chrono::seconds connect_timeout{30};
  std::chrono::seconds request_timeout{300};

  // Pipeline.
  UploadPolicy upload = UploadPolicy::kAlways;
  // Bytes; the API caps it (core/api_limits.h: 650 MB on v3, 32 MB on v2).
  std::int64_t max_upload_size = 650LL * 1000 * 1000;
  bool comment = true;
  std::string comment_text = std::string(kDefaultCommentText);
  std::chrono::seconds comment_delay{60};
  std::chrono::seconds refresh_age{30LL * 86400};  // re-check reports older than this
  int refresh_below = 5;  // re-check reports with fewer detections than this
  bool refresh = true;    // refresh only with quota that would otherwise go unused

  std::string log_level = "info";  // trace, debug, info, warn, error, off

  // Following dionaea while `run` works (docs/dionaea.md).
  std::chrono::seconds follow_poll_interval{2};      // between polls of logsql's downloads
  std::chrono::seconds follow_file_grace{600};       // wait this long for a download's file
  std::chrono::seconds follow_rescan_interval{300};  // safety-net rescans of sample dirs

  // Dashboard and /metrics (docs/web.md). `web`: "HOST:PORT" to serve on; empty = off for
  // `honeyvt run` (`honeyvt web` defaults to 127.0.0.1:8787). Anything but a loopback
  // address needs `web_token_file` (the server refuses to start otherwise).
  std::string web;
  std::filesystem::path web_token_file;  // empty = "<state>.web-token", created 0600
  std::vector<std::string> web_hosts;    // extra Host names served (reverse proxy names)

  // The state database path after defaults are applied.
  std::filesystem::path StatePath() const;
};

// Where a setting came from, for error messages ("config.toml:12", "HONEYVT_QUOTA", "--set").
struct SettingSource {
  std::string where;
};

// Sets one key from its text form (env vars and --set flags). Unknown keys and malformed
// values are kInvalidArgument naming the key and source.
Status ApplySetting(Options& options, std::string_view key, std::string_view value,
                    const SettingSource& source);

// Loads a TOML file into `options`. Errors name the file, key and line.
Status LoadConfigFile(Options& options, const std::filesystem::path& path);

// Applies every HONEYVT_<KEY> variable of `env` (KEY = upper-case config key), and reads
// the API key from HONEYVT_API_KEY. `env` is injected so tests need not touch the process.
Status ApplyEnvironment(Options& options, const std::map<std::string, std::string>& env);

// Reads the API key from api_key_file when no key came from the environment. A file that
// group or others may read is kInvalidArgument naming the file and its mode, unless
// api_key_file_insecure_ok.
Status ResolveApiKey(Options& options);

// Removes HONEYVT_API_KEY from this process's environment once it has been read: the
// value bytes are overwritten in place (the kernel shows the original environment block
// in /proc/PID/environ, which unsetenv alone does not change) and the variable is unset,
// so child processes do not inherit it either. Call before starting threads.
void ForgetApiKeyEnvironment();

// The process environment as a map (for ApplyEnvironment).
std::map<std::string, std::string> ProcessEnvironment();

// Names of all settable keys, for --help and docs.
std::vector<std::string> ConfigKeys();

}  // namespace honeyvt
