#include "core/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "core/strings.h"

namespace honeyvt {
namespace {

// %* in the journal pattern: the message's syslog priority prefix.
class PriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const auto name = spdlog::level::to_string_view(msg.level);
    const std::string_view prefix = SyslogPrefix(std::string_view(name.data(), name.size()));
    dest.append(prefix.data(), prefix.data() + prefix.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PriorityFlag>();
  }
};

bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return IsJournalStream(stream, st.st_dev, st.st_ino);
}

std::shared_ptr<spdlog::logger> MakeLogger() {
  auto logger = spdlog::stderr_logger_mt("honeyvt");
  if (StderrIsJournal()) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<PriorityFlag>('*').set_pattern("%*%l: %v");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S%z honeyvt %l: %v");
  }
  return logger;
}

}  // namespace

bool IsJournalStream(std::string_view journal_stream, dev_t dev, ino_t ino) {
  const auto colon = journal_stream.find(':');
  if (colon == std::string_view::npos) return false;
  auto d = ParseInt(journal_stream.substr(0, colon));
  auto i = ParseInt(journal_stream.substr(colon + 1));
  return d && i && *d >= 0 && *i >= 0 && static_cast<std::uint64_t>(*d) == dev &&
         static_cast<std::uint64_t>(*i) == ino;
}

std::string_view SyslogPrefix(std::string_view level) {
  if (level == "critical") return "<2>";
  if (level == "error" || level == "err") return "<3>";
  if (level == "warning" || level == "warn") return "<4>";
  if (level == "info") return "<6>";
  return "<7>";
}

Status ConfigureLogging(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return MakeError(ErrorCode::kInvalidArgument, "unknown log level '" + std::string(level) + "'");
  }
  static auto logger = MakeLogger();
  spdlog::set_default_logger(logger);
  spdlog::set_level(lvl);
  return OkStatus();
}

}  // namespace honeyvt
