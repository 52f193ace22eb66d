// Prints the start-up figures of `honeyvt run` with many files in binaries/ (issue 16):
// for the first run (every file hashed and queued) and for a restart (the file identity
// cache: nothing read again), the wall time until the daemon is ready (READY=1 on a
// notify socket this program opens, as systemd would), until its first directory scan is
// done, and the bytes the process read by then (/proc/PID/io: rchar counts every read()
// call, cached or not; read_bytes only what came from the disk).
// VirusTotal is a closed loopback port and the quota one request a day, so the daemon
// itself stays quiet.
// usage: startup_bench HONEYVT [DIR=/tmp/honeyvt-startup] [FILES=50000] [BYTES=8192]
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Io {
  long long rchar = -1, read_bytes = -1;
};

Io ReadIo(pid_t pid) {
  Io io;
  std::ifstream in("/proc/" + std::to_string(pid) + "/io");
  std::string key;
  long long value = 0;
  while (in >> key >> value) {
    if (key == "rchar:") io.rchar = value;
    if (key == "read_bytes:") io.read_bytes = value;
  }
  return io;
}

struct Figures {
  double ready_s = -1, scanned_s = -1;
  Io io;
  std::string scan_line;
};

// Starts `honeyvt run`, waits for READY=1 and the first scan's log line, reads the
// process's I/O counters, stops it with SIGTERM.
Figures RunOnce(const std::string& honeyvt, const fs::path& dir) {
  const std::string sock_path = (dir / "notify.sock").string();
  fs::remove(sock_path);
  const int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock_path.c_str(), sizeof(addr.sun_path) - 1);
  if (bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("bind");
    std::exit(1);
  }
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) std::exit(1);

  std::vector<std::string> args = {honeyvt,    "run",
                                   "--logsql", (dir / "dionaea.sqlite").string(),
                                   "--state",  (dir / "state.sqlite").string(),
                                   "--set",    "binaries=" + (dir / "binaries").string(),
                                   "--set",    "base_url=http://127.0.0.1:9/api/v3/",
                                   "--set",    "quota=1/1d",
                                   "--set",    "log_level=info"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store = {"NOTIFY_SOCKET=" + sock_path,
                                        "HONEYVT_API_KEY=startup-bench-key-0000000000", "TZ=UTC"};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "HONEYVT_", 8) != 0 && std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0) {
      env_store.emplace_back(*e);
    }
  }
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const auto t0 = Clock::now();
  if (posix_spawn(&pid, honeyvt.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) {
    std::perror("posix_spawn");
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&actions);
  close(err_pipe[1]);

  Figures f;
  std::string err_text;
  const auto deadline = t0 + std::chrono::minutes(30);
  while (f.scanned_s < 0 && Clock::now() < deadline) {
    pollfd fds[2] = {{sock, POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    if (poll(fds, 2, 1000) <= 0) continue;
    if ((fds[0].revents & POLLIN) != 0) {
      char buf[4096];
      const ssize_t n = recv(sock, buf, sizeof buf, 0);
      if (n > 0 && f.ready_s < 0 &&
          std::string(buf, static_cast<std::size_t>(n)).find("READY=1") != std::string::npos) {
        f.ready_s = std::chrono::duration<double>(Clock::now() - t0).count();
      }
    }
    if ((fds[1].revents & (POLLIN | POLLHUP)) != 0) {
      char buf[4096];
      const ssize_t n = read(err_pipe[0], buf, sizeof buf);
      if (n <= 0) break;  // the daemon exited
      err_text.append(buf, static_cast<std::size_t>(n));
      const auto at = err_text.find("ingest: first scan");
      if (at != std::string::npos && err_text.find('\n', at) != std::string::npos) {
        f.scanned_s = std::chrono::duration<double>(Clock::now() - t0).count();
        f.io = ReadIo(pid);
        f.scan_line = err_text.substr(at, err_text.find('\n', at) - at);
      }
    }
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  close(err_pipe[0]);
  close(sock);
  if (f.scanned_s < 0) {
    std::fprintf(stderr, "the first scan never finished; honeyvt said:\n%s\n", err_text.c_str());
    std::exit(1);
  }
  return f;
}

void Print(const char* what, const Figures& f) {
  std::printf(
      "%-28s ready %6.3f s   first scan done %7.3f s   rchar %8.1f MB   read_bytes %8.1f MB\n",
      what, f.ready_s, f.scanned_s, static_cast<double>(f.io.rchar) / 1e6,
      static_cast<double>(f.io.read_bytes) / 1e6);
  std::printf("  %s\n", f.scan_line.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: startup_bench HONEYVT [DIR] [FILES=50000] [BYTES=8192]\n");
    return 2;
  }
  const std::string honeyvt = fs::absolute(argv[1]).string();
  const fs::path dir = argc > 2 ? fs::path(argv[2]) : fs::path("/tmp/honeyvt-startup");
  const int files = argc > 3 ? static_cast<int>(std::strtol(argv[3], nullptr, 10)) : 50000;
  const int bytes = argc > 4 ? static_cast<int>(std::strtol(argv[4], nullptr, 10)) : 8192;
  fs::remove_all(dir);
  fs::create_directories(dir / "binaries");
  const std::string init =
      honeyvt + " init-db " + (dir / "dionaea.sqlite").string() + " > /dev/null";
  if (std::system(init.c_str()) != 0) return 1;
  std::mt19937_64 rng(16);
  std::string content(static_cast<std::size_t>(bytes), '\0');
  for (int i = 0; i < files; ++i) {
    for (char& c : content) c = static_cast<char>(rng());
    char name[40];
    std::snprintf(name, sizeof name, "sample-%06d", i);
    std::ofstream(dir / "binaries" / name, std::ios::binary) << content;
  }
  std::printf("startup_bench: %d files of %d bytes in binaries/ (%.0f MB)\n", files, bytes,
              static_cast<double>(files) * bytes / 1e6);
  const Figures first = RunOnce(honeyvt, dir);
  Print("first run (hash everything)", first);
  const Figures second = RunOnce(honeyvt, dir);
  Print("restart (identity cache)", second);
  const Figures third = RunOnce(honeyvt, dir);
  Print("restart again", third);
  fs::remove_all(dir);
  return 0;
}
