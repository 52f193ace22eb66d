#include "store/pg/connection.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>

#include "store/pg/dsn.h"
#include "store/pg/error.h"

namespace honeyvt::pg {
namespace {

std::string ConnMessage(PGconn* c) {
  std::string m = c != nullptr ? PQerrorMessage(c) : "out of memory";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return ScrubSecrets(m);
}

// Server notices (e.g. "relation already exists, skipping") go to the debug log.
void OnNotice(void* /*arg*/, const char* message) {
  std::string m = message;
  while (!m.empty() && m.back() == '\n') m.pop_back();
  SPDLOG_DEBUG("PostgreSQL: {}", m);
}

bool ValidChannel(std::string_view c) {
  return !c.empty() && c.size() < 64 && std::all_of(c.begin(), c.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
  });
}

}  // namespace

void Connection::Deleter::operator()(pg_conn* c) const { PQfinish(c); }

Connection::Connection(pg_conn* conn, std::string redacted, ConnectOptions options)
    : conn_(conn), redacted_(std::move(redacted)), options_(std::move(options)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result<Connection> Connection::Open(std::string_view dsn, ConnectOptions options) {
  RETURN_IF_ERROR(ValidateDsn(dsn));
  const std::string dsn_text(dsn);
  const std::string timeout = std::to_string(options.connect_timeout.count());
  // Defaults first (the DSN may override them), then what we insist on (after dbname).
  const char* keys[] = {"application_name", "connect_timeout",     "keepalives",
                        "keepalives_idle",  "keepalives_interval", "keepalives_count",
                        "dbname",           "client_encoding",     nullptr};
  const char* values[] = {options.application_name.c_str(),
                          timeout.c_str(),
                          "1",
                          "30",
                          "10",
                          "3",
                          dsn_text.c_str(),
                          "UTF8",
                          nullptr};
  std::unique_ptr<pg_conn, Deleter> conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  const std::string redacted = RedactDsn(dsn);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    const std::string why = ConnMessage(conn.get());
    // libpq reports refused logins and missing databases in the message only.
    ErrorCode code = ErrorCode::kTransient;
    if (why.find("password authentication failed") != std::string::npos ||
        why.find("no pg_hba.conf entry") != std::string::npos ||
        why.find("role \"") != std::string::npos) {
      code = ErrorCode::kForbidden;  // kAuthFailed is VirusTotal rejecting the API key
    } else if (why.find("database \"") != std::string::npos &&
               why.find("does not exist") != std::string::npos) {
      code = ErrorCode::kNotFound;
    }
    return MakeError(code, "cannot connect to PostgreSQL (" + redacted + "): " + why);
  }
  PQsetNoticeProcessor(conn.get(), &OnNotice, nullptr);
  Connection c(conn.release(), redacted, std::move(options));
  RETURN_IF_ERROR(c.AfterConnect());
  return c;
}

Status Connection::AfterConnect() {
  prepared_.clear();
  if (!options_.on_connect.empty()) RETURN_IF_ERROR(Exec(options_.on_connect));
  for (const auto& ch : channels_) RETURN_IF_ERROR(Exec("LISTEN " + ch));
  return OkStatus();
}

bool Connection::Broken() const { return !conn_ || PQstatus(conn_.get()) != CONNECTION_OK; }

Status Connection::Reconnect() {
  if (!conn_) return MakeError(ErrorCode::kInternal, "connection moved from");
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    return MakeError(ErrorCode::kTransient, "cannot reconnect to PostgreSQL (" + redacted_ +
                                                "): " + ConnMessage(conn_.get()));
  }
  return AfterConnect();
}

Result<PgResult> Connection::Check(PgResult res, std::string_view what) {
  const ExecStatusType st = res.get() != nullptr ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
  std::string sqlstate;
  std::string message;
  if (res.get() != nullptr) {
    if (const char* s = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE)) sqlstate = s;
    if (const char* m = PQresultErrorField(res.get(), PG_DIAG_MESSAGE_PRIMARY)) message = m;
    if (const char* d = PQresultErrorField(res.get(), PG_DIAG_MESSAGE_DETAIL)) {
      message += std::string(" (") + d + ")";
    }
  }
  if (message.empty()) message = ConnMessage(conn_.get());
  if (Broken()) {
    // The session is gone whatever the statement said: reconnect and retry.
    return MakeError(ErrorCode::kTransient,
                     "PostgreSQL: connection lost during " + std::string(what) + ": " + message);
  }
  return MakePgError(what, ScrubSecrets(message), sqlstate);
}

Status Connection::Exec(std::string_view sql) {
  if (Broken()) return MakeError(ErrorCode::kTransient, "PostgreSQL: not connected");
  PgResult res(PQexec(conn_.get(), std::string(sql).c_str()));
  auto checked = Check(std::move(res), "statement");
  if (!checked) return std::move(checked).error();
  return OkStatus();
}

Result<PgResult> Connection::Query(std::string_view sql, const Params& params) {
  if (Broken()) return MakeError(ErrorCode::kTransient, "PostgreSQL: not connected");
  const std::vector<const char*> values = params.Pointers();
  PgResult res(PQexecParams(conn_.get(), std::string(sql).c_str(), params.size(), nullptr,
                            values.data(), nullptr, nullptr, 0));
  return Check(std::move(res), "query");
}

Result<PgResult> Connection::Prepared(std::string_view name, std::string_view sql,
                                      const Params& params) {
  if (Broken()) return MakeError(ErrorCode::kTransient, "PostgreSQL: not connected");
  if (prepared_.find(name) == prepared_.end()) {
    const std::string n(name);
    PgResult prep(PQprepare(conn_.get(), n.c_str(), std::string(sql).c_str(), 0, nullptr));
    auto checked = Check(std::move(prep), "prepare " + n);
    if (!checked) return std::move(checked).error();
    prepared_.insert(n);
  }
  const std::vector<const char*> values = params.Pointers();
  PgResult res(PQexecPrepared(conn_.get(), std::string(name).c_str(), params.size(), values.data(),
                              nullptr, nullptr, 0));
  return Check(std::move(res), name);
}

Status Connection::Listen(std::string_view channel) {
  if (!ValidChannel(channel)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad channel name: " + std::string(channel));
  }
  const std::string ch(channel);
  if (std::find(channels_.begin(), channels_.end(), ch) == channels_.end()) channels_.push_back(ch);
  return Exec("LISTEN " + ch);
}

Result<std::vector<Notification>> Connection::WaitForNotifications(
    std::chrono::milliseconds timeout, std::stop_token stop) {
  if (Broken()) return MakeError(ErrorCode::kTransient, "PostgreSQL: not connected");
  std::vector<Notification> out;
  auto drain = [&]() -> Status {
    if (PQconsumeInput(conn_.get()) == 0) {
      return MakeError(ErrorCode::kTransient,
                       "PostgreSQL: connection lost while waiting: " + ConnMessage(conn_.get()));
    }
    while (PGnotify* n = PQnotifies(conn_.get())) {
      out.push_back({n->relname != nullptr ? n->relname : "", n->extra != nullptr ? n->extra : ""});
      PQfreemem(n);
    }
    return OkStatus();
  };
  RETURN_IF_ERROR(drain());
  // Wait in short slices so that a stop request is seen promptly.
  auto left = timeout;
  while (out.empty() && left.count() > 0 && !stop.stop_requested()) {
    const auto slice = std::min(left, std::chrono::milliseconds(200));
    pollfd pfd{PQsocket(conn_.get()), POLLIN, 0};
    const int rc = poll(&pfd, 1, static_cast<int>(slice.count()));
    if (rc < 0 && errno != EINTR) {
      return MakeError(ErrorCode::kTransient, "PostgreSQL: poll failed");
    }
    if (rc > 0) RETURN_IF_ERROR(drain());
    left -= slice;
  }
  return out;
}

}  // namespace honeyvt::pg
