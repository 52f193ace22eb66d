#pragma once
// RAII ownership of one libpq connection (PGconn, PQfinish on destruction), and the only
// header of honeyvt whose implementation includes <libpq-fe.h> (with result.cc and
// dsn.cc, all in this folder).
//
// A Connection runs statements with bound parameters (never spliced SQL), prepares named
// statements once per server session (again after a reconnect), and exposes LISTEN /
// NOTIFY. It does not reconnect by itself: after an error with code kTransient the
// caller decides when to call Reconnect() (the fleet store does it on its next use).
// Not thread-safe: one Connection per thread. Move-only.
//
// The DSN (a libpq keyword string or a postgresql:// URI; sslmode and every other libpq
// option pass through) may contain a password: it is kept only inside libpq and never
// logged or put in an error message (see dsn.h for the redacted form).

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/pg/params.h"
#include "store/pg/result.h"

struct pg_conn;

namespace honeyvt::pg {

struct ConnectOptions {
  // Shown in pg_stat_activity: "honeyvt/<sensor>/<role>".
  std::string application_name = "honeyvt";
  std::chrono::seconds connect_timeout{10};
  // SQL run after every (re)connect, e.g. session timeouts. Our own constant text.
  std::string on_connect;
};

struct Notification {
  std::string channel;
  std::string payload;
};

class Connection {
 public:
  // Connects; kTransient if the server is unreachable, kAuthFailed for a refused login,
  // kInvalidArgument for a DSN libpq cannot parse. Messages name the redacted DSN.
  static Result<Connection> Open(std::string_view dsn, ConnectOptions options = {});

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // One or more statements without parameters (migrations, SET, LISTEN).
  Status Exec(std::string_view sql);
  // One statement with parameters $1..$n.
  Result<PgResult> Query(std::string_view sql, const Params& params = {});
  // A named statement, prepared on first use in each server session.
  Result<PgResult> Prepared(std::string_view name, std::string_view sql, const Params& params);

  // Drops and re-opens the session (prepared statements and LISTENs are gone; callers
  // listen again). kTransient while the server stays unreachable.
  Status Reconnect();
  // The session is gone (server restart, network): the next use must Reconnect.
  bool Broken() const;

  // LISTEN on a channel of ours ([a-z0-9_]+); remembered and renewed by Reconnect.
  Status Listen(std::string_view channel);
  // Waits up to `timeout` (or until stop) for notifications; returns those received
  // (possibly none). kTransient if the connection broke meanwhile.
  Result<std::vector<Notification>> WaitForNotifications(std::chrono::milliseconds timeout,
                                                         std::stop_token stop = {});

  const std::string& redacted_dsn() const { return redacted_; }

 private:
  struct Deleter {
    void operator()(pg_conn* c) const;
  };
  Connection(pg_conn* conn, std::string redacted, ConnectOptions options);
  Status AfterConnect();
  Result<PgResult> Check(PgResult res, std::string_view what);

  std::unique_ptr<pg_conn, Deleter> conn_;
  std::string redacted_;
  ConnectOptions options_;
  std::set<std::string, std::less<>> prepared_;  // names prepared in this session
  std::vector<std::string> channels_;
};

}  // namespace honeyvt::pg
