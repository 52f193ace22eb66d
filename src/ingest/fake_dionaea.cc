#include "ingest/fake_dionaea.h"

#include <stdexcept>

#include "core/digest.h"
#include "core/testing.h"

namespace honeyvt::ingest::testing {
namespace {

void Must(const Status& st) {
  if (!st) throw std::runtime_error(st.error().ToString());
}

store::Database OpenOrThrow(const std::filesystem::path& path) {
  auto db = store::Database::Open(path, {.mode = store::OpenMode::kReadWrite});
  if (!db) throw std::runtime_error(db.error().ToString());
  return std::move(*db);
}

}  // namespace

LogsqlWriter::LogsqlWriter(const std::filesystem::path& logsql) : db_(OpenOrThrow(logsql)) {}

std::int64_t LogsqlWriter::AddDownload(const std::string& md5_text, double timestamp) {
  auto conn = db_.Prepare(
      "INSERT INTO connections (connection_type, connection_transport, connection_protocol,"
      " connection_timestamp, local_host, local_port, remote_host, remote_hostname,"
      " remote_port) VALUES ('accept','tcp','smbd',?,'192.0.2.1',445,'198.51.100.9','',4444)");
  if (!conn) throw std::runtime_error(conn.error().ToString());
  conn->Bind(1, timestamp);
  Must(conn->Run());
  const std::int64_t connection = db_.LastInsertRowid();
  auto dl = db_.Prepare(
      "INSERT INTO downloads (connection, download_url, download_md5_hash) VALUES (?,?,?)");
  if (!dl) throw std::runtime_error(dl.error().ToString());
  dl->BindAll(connection, "http://203.0.113.5/x.exe", md5_text);
  Must(dl->Run());
  return db_.LastInsertRowid();
}

void LogsqlWriter::Begin() { Must(db_.Exec("BEGIN")); }
void LogsqlWriter::Commit() { Must(db_.Exec("COMMIT")); }

void LogsqlWriter::AddVirustotal(const std::string& md5) {
  auto st = db_.Prepare(
      "INSERT INTO virustotals (virustotal_md5_hash, virustotal_timestamp, virustotal_permalink)"
      " VALUES (?, 1286470000, 'https://www.virustotal.com/file/x/analysis/1/')");
  if (!st) throw std::runtime_error(st.error().ToString());
  st->Bind(1, md5);
  Must(st->Run());
}

std::string WriteSample(const std::filesystem::path& dir, const std::string& name,
                        const std::string& content) {
  honeyvt::testing::WriteFile(dir / name, content);
  return Md5Of(content);
}

std::string Md5Of(const std::string& content) { return DigestBytes(content).md5; }

}  // namespace honeyvt::ingest::testing
