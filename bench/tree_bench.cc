// tree_bench: measures `honeyvt tree` on generated logsql databases of 250k and 1M
// connections: wall time and peak RSS of the child process (wait4 rusage), for the full
// tree and for filtered runs (-m, -r, -t, -c). Prints one line per run.
//   tree_bench HONEYVT_BINARY [WORKDIR=/tmp/honeyvt-bench] [SIZES=250000,1000000]
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/strings.h"
#include "logsql_generator.h"
#include "store/sqlite.h"

extern char** environ;

namespace {

struct Measure {
  double wall_s = 0;
  long max_rss_kb = 0;
  int status = -1;
  long long bytes = 0;
};

// Runs argv with stdout into a file (its size is reported) and TZ=UTC. posix_spawn (not
// fork) so the child's peak RSS is its own, not a copy of this process's.
Measure RunChild(const std::vector<std::string>& args, const std::string& out_path) {
  Measure m;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  setenv("TZ", "UTC", 1);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return m;
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.max_rss_kb = ru.ru_maxrss;
  m.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::error_code ec;
  m.bytes = static_cast<long long>(std::filesystem::file_size(out_path, ec));
  return m;
}

// A value for the filtered runs, taken from the middle of the database.
std::string Pick(const std::filesystem::path& db, const char* sql) {
  auto opened = honeyvt::store::Database::Open(db, {});
  if (!opened) return "";
  auto stmt = opened->Prepare(sql);
  if (!stmt) return "";
  auto row = stmt->Step();
  return row && *row ? stmt->Text(0) : "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: tree_bench HONEYVT_BINARY [WORKDIR] [SIZES]\n");
    return 2;
  }
  const std::string honeyvt = std::filesystem::absolute(argv[1]).string();
  const std::filesystem::path dir = argc > 2 ? argv[2] : "/tmp/honeyvt-bench";
  std::vector<std::int64_t> sizes = {250000, 1000000};
  if (argc > 3) {
    sizes.clear();
    for (const auto& s : honeyvt::Split(argv[3], ',')) {
      if (auto n = honeyvt::ParseInt(s)) sizes.push_back(*n);
    }
  }
  std::filesystem::create_directories(dir);
  std::printf("%-10s %-34s %9s %10s %12s %6s\n", "conns", "run", "wall_s", "maxrss_MB",
              "out_bytes", "exit");
  for (std::int64_t n : sizes) {
    const auto db = dir / ("logsql-" + std::to_string(n) + ".sqlite");
    if (!std::filesystem::exists(db)) {
      const auto start = std::chrono::steady_clock::now();
      honeyvt::bench::GeneratorOptions o;
      o.connections = n;
      auto stats = honeyvt::bench::GenerateLogsql(db, o);
      if (!stats) {
        std::fprintf(stderr, "generate: %s\n", stats.error().ToString().c_str());
        return 1;
      }
      std::printf("%-10lld generated in %.1f s (%lld roots, %lld downloads, %lld scans)\n",
                  static_cast<long long>(n),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                  static_cast<long long>(stats->roots), static_cast<long long>(stats->downloads),
                  static_cast<long long>(stats->scans));
    }
    const std::string md5 = Pick(db, "SELECT download_md5_hash FROM downloads LIMIT 1 OFFSET 100");
    const std::string host = Pick(db, "SELECT remote_host FROM connections WHERE "
                                      "connection_type='accept' LIMIT 1 OFFSET 5000");
    const std::string mid = Pick(db, "SELECT connection_timestamp FROM connections WHERE "
                                     "connection = (SELECT max(connection) - 1000 FROM connections)");
    const std::string id = Pick(db, "SELECT connection FROM connections WHERE "
                                    "connection_parent IS NULL LIMIT 1 OFFSET 1000");
    const std::string path = db.string();
    const std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
        {"tree (text)", {honeyvt, "tree", path}},
        {"tree --format json", {honeyvt, "tree", "--format", "json", path}},
        {"tree -m <md5>", {honeyvt, "tree", "-m", md5, path}},
        {"tree -r <host>", {honeyvt, "tree", "-r", host, path}},
        {"tree -t <last ~1000 conns>", {honeyvt, "tree", "-t", mid, path}},
        {"tree -c <id>", {honeyvt, "tree", "-c", id, path}},
    };
    for (const auto& [name, args] : runs) {
      const Measure m = RunChild(args, (dir / "out.txt").string());
      std::printf("%-10lld %-34s %9.2f %10.1f %12lld %6d\n", static_cast<long long>(n),
                  name.c_str(), m.wall_s, m.max_rss_kb / 1024.0, m.bytes, m.status);
      std::fflush(stdout);
    }
  }
  std::filesystem::remove(dir / "out.txt");
  return 0;
}
