#pragma once
// Test and benchmark support: appends attacks with downloads to a logsql file the way
// dionaea does (a connection row with a REAL timestamp, then its downloads row; one
// commit per incident), and writes sample files into a binaries directory.

#include <cstdint>
#include <filesystem>
#include <string>

#include "store/sqlite.h"

namespace honeyvt::ingest::testing {

class LogsqlWriter {
 public:
  // Opens an existing logsql file read-write (throws std::runtime_error on failure).
  explicit LogsqlWriter(const std::filesystem::path& logsql);
  // Inserts a connection at `timestamp` and a download of `md5_text` (any text, hostile
  // included); returns the download rowid.
  std::int64_t AddDownload(const std::string& md5_text, double timestamp = 1700000000.5);
  // Starts/ends an explicit transaction for bulk inserts.
  void Begin();
  void Commit();
  // Adds a virustotals row for `md5`.
  void AddVirustotal(const std::string& md5);
  store::Database& db() { return db_; }

 private:
  store::Database db_;
};

// Writes `content` to `dir/name`; returns its md5 (lowercase hex).
std::string WriteSample(const std::filesystem::path& dir, const std::string& name,
                        const std::string& content);
// The md5 of `content` (lowercase hex).
std::string Md5Of(const std::string& content);

}  // namespace honeyvt::ingest::testing
