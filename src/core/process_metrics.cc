// The standard process_* metrics of the Prometheus client libraries, read from /proc/self.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/metrics.h"

namespace honeyvt {
namespace {

struct ProcStat {
  double cpu_seconds = 0;
  double start_seconds = 0;  // since boot
  double vsize = 0;
  double rss_pages = 0;
};

ProcStat ReadStat() {
  ProcStat s;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return s;
  // Fields after the command name (which may hold spaces, so start after the last ')').
  const auto close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(line.substr(close + 2));
  std::string f;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (int i = 3; fields >> f; ++i) {
    if (i == 14 || i == 15) s.cpu_seconds += std::stod(f) / tick;  // utime, stime
    if (i == 22) s.start_seconds = std::stod(f) / tick;
    if (i == 23) s.vsize = std::stod(f);
    if (i == 24) {
      s.rss_pages = std::stod(f);
      break;
    }
  }
  return s;
}

double BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory handle itself
}

}  // namespace

void RegisterProcessMetrics(MetricsRegistry& registry) {
  auto& cpu = registry.AddCounter("process_cpu_seconds_total",
                                  "Total user and system CPU time spent in seconds.");
  auto& rss = registry.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
  auto& vsz = registry.AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.");
  auto& fds = registry.AddGauge("process_open_fds", "Number of open file descriptors.");
  auto& max_fds = registry.AddGauge("process_max_fds", "Maximum number of open file descriptors.");
  auto& start = registry.AddGauge("process_start_time_seconds",
                                  "Start time of the process since unix epoch in seconds.");
  const double boot = BootTime();
  registry.AddCollector([&cpu, &rss, &vsz, &fds, &max_fds, &start, boot] {
    const ProcStat s = ReadStat();
    cpu.With({}).SetAtLeast(s.cpu_seconds);
    rss.With({}).Set(s.rss_pages * static_cast<double>(sysconf(_SC_PAGESIZE)));
    vsz.With({}).Set(s.vsize);
    fds.With({}).Set(OpenFds());
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
      max_fds.With({}).Set(static_cast<double>(lim.rlim_cur));
    start.With({}).Set(boot + s.start_seconds);
  });
}

}  // namespace honeyvt
