// GET /readyz (the state database can be written and logsql read) and GET /api/v1/status
// (the status page: version, configuration without secrets, databases and their sizes,
// how far ingest, rollups and the report replica have read logsql, the last VirusTotal
// success, the dashboard's longest logsql reads, uptime).
#include <nlohmann/json.hpp>

#include "core/options_view.h"
#include "web/api.h"
#include "web/api_util.h"
#include "web/report_service.h"

namespace honeyvt::web {
namespace {

using nlohmann::json;

// The file plus its journal or WAL (what it takes on disk).
json FileSize(const std::string& name, const std::filesystem::path& path) {
  std::error_code ec;
  std::uintmax_t bytes = 0;
  bool exists = false;
  for (const char* suffix : {"", "-wal", "-journal"}) {
    const std::uintmax_t n = std::filesystem::file_size(path.string() + suffix, ec);
    if (!ec) {
      bytes += n;
      exists = exists || *suffix == '\0';
    }
  }
  return {{"name", name}, {"path", path.string()}, {"exists", exists}, {"bytes", bytes}};
}

Result<std::optional<std::int64_t>> OneInt(store::Database& db, std::string_view sql) {
  ASSIGN_OR_RETURN(store::Statement s, db.Prepare(sql));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row || s.IsNull(0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(s.Int64(0));
}

// The newest rows of logsql's tables the dashboard follows (one short read).
Result<json> LogsqlTops(Context& ctx) {
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.logsql->Acquire());
  ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), ctx.reads.For("status")));
  json tops = json::object();
  for (const auto& [table, pk] :
       {std::pair{"connections", "connection"}, std::pair{"downloads", "download"},
        std::pair{"virustotals", "virustotal"}}) {
    auto top = OneInt(lease.db(), std::string("SELECT max(") + pk + ") FROM " + table);
    if (!top) return scope.Note(top.error());
    tops[table] = top->value_or(0);
  }
  return tops;
}

Result<json> StateFacts(Context& ctx, const json& tops) {
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.state->Acquire());
  store::Database& db = lease.db();
  json out;
  // The ingest follower's position in downloads (docs/ingest.md, honeyvt_ingest_cursor).
  json ingest = json::array();
  if (db.TableExists("honeyvt_ingest_cursor")) {
    ASSIGN_OR_RETURN(store::Statement s,
                     db.Prepare("SELECT source, last_rowid, updated_at FROM honeyvt_ingest_cursor "
                                "ORDER BY source LIMIT 20"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      json c = {{"source", s.Text(0)}, {"last_download", s.Int64(1)}, {"updated_at", s.Int64(2)}};
      if (s.Text(0) == ctx.options.logsql.string()) {
        c["lag_rows"] = std::max<std::int64_t>(0, tops.value("downloads", 0) - s.Int64(1));
      }
      ingest.push_back(std::move(c));
    }
  }
  out["ingest"] = ingest;
  auto last = [&](std::string_view sql) -> Result<json> {
    ASSIGN_OR_RETURN(std::optional<std::int64_t> ms, OneInt(db, sql));
    return ms ? json(static_cast<double>(*ms) / 1000) : json(nullptr);
  };
  ASSIGN_OR_RETURN(out["last_vt_success"],
                   last("SELECT at FROM vt_requests WHERE code = '200' ORDER BY id DESC LIMIT 1"));
  ASSIGN_OR_RETURN(out["last_vt_request"],
                   last("SELECT at FROM vt_requests ORDER BY id DESC LIMIT 1"));
  ASSIGN_OR_RETURN(out["last_enqueue"], last("SELECT max(created_at) FROM jobs"));
  return out;
}

Result<json> RollupCursors(Context& ctx, const json& tops) {
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.rollups->Acquire());
  ASSIGN_OR_RETURN(store::Statement s,
                   lease.db().Prepare("SELECT name, last_rowid, updated_at FROM rollup_cursors "
                                      "ORDER BY name"));
  json out = json::array();
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    const std::string name = s.Text(0);
    out.push_back({{"table", name},
                   {"cursor", s.Int64(1)},
                   {"lag_rows", std::max<std::int64_t>(0, tops.value(name, 0) - s.Int64(1))},
                   {"updated_at", static_cast<double>(s.Int64(2)) / 1000}});
  }
  return out;
}

json StatusJson(Context& ctx) {
  const TimePoint now = ctx.clock->Now();
  json j;
  j["version"] = ctx.version;
  j["revision"] = ctx.revision;
  j["api_version"] = ctx.options.api_version;
  j["in_daemon"] = ctx.in_daemon;
  j["simulated"] = ctx.simulated;
  j["actions_enabled"] = ctx.actions_enabled;
  j["now"] = ToUnixSeconds(now);
  j["started_at"] = ToUnixSeconds(ctx.started_at);
  j["uptime_seconds"] = ToUnixSeconds(now) - ToUnixSeconds(ctx.started_at);
  json config = json::array();
  for (const auto& [key, value] : OptionValues(ctx.options)) {
    config.push_back({{"key", key}, {"value", value}});
  }
  j["config"] = config;
  json files = json::array(
      {FileSize("logsql", ctx.options.logsql), FileSize("state", ctx.options.StatePath())});
  json errors = json::array();
  json tops = json::object();
  if (auto t = LogsqlTops(ctx)) {
    tops = *t;
  } else {
    errors.push_back("logsql: " + t.error().ToString());
  }
  j["logsql_last_rows"] = tops;
  if (auto facts = StateFacts(ctx, tops)) {
    j.update(*facts);
  } else {
    errors.push_back("state database: " + facts.error().ToString());
  }
  if (auto cursors = RollupCursors(ctx, tops)) {
    j["rollups"] = {
        {"ready", ctx.rollups_ready.load()},
        {"as_of", ctx.rollups_as_of.load() > 0 ? json(ctx.rollups_as_of.load()) : json(nullptr)},
        {"cursors", *cursors}};
  } else {
    errors.push_back("rollups: " + cursors.error().ToString());
  }
  if (ctx.reports != nullptr) {
    const ReportService::State rs = ctx.reports->state();
    json tables = json::array();
    for (const ReplicaTableState& t : rs.tables) {
      json row = {{"table", t.table}, {"cursor", t.cursor}};
      if (tops.contains(t.table)) {
        row["lag_rows"] = std::max<std::int64_t>(0, tops[t.table].get<std::int64_t>() - t.cursor);
      }
      tables.push_back(std::move(row));
    }
    j["report_replica"] = {{"open", rs.replica_open},     {"caught_up", rs.caught_up},
                           {"generation", rs.generation}, {"tables", tables},
                           {"reports_kept", rs.kept},     {"reports_queued", rs.queued},
                           {"error", rs.last_error}};
    files.push_back(FileSize("report replica", ctx.reports->replica_path()));
  }
  j["databases"] = files;
  json reads = json::object();
  for (const char* reader : kLogsqlReaders) {
    reads[reader] = ctx.reads.longest != nullptr ? ctx.reads.longest->With({reader}).Value() : 0;
  }
  j["logsql_longest_read_seconds"] = reads;
  j["logsql_busy"] = ctx.reads.busy != nullptr ? ctx.reads.busy->With({}).Value() : 0;
  j["errors"] = errors;
  return j;
}

// Whether the state database takes a write lock (then gives it back at once).
Status StateWritable(Context& ctx) {
  if (!ctx.actions_enabled) {
    return MakeError(ErrorCode::kForbidden, "the state database is read-only here");
  }
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.state->Acquire());
  ASSIGN_OR_RETURN(store::Transaction tx,
                   store::Transaction::Begin(lease.db(), store::Transaction::Kind::kImmediate));
  return OkStatus();  // rolled back
}

Status LogsqlReadable(Context& ctx) {
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.logsql->Acquire());
  ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(lease.db(), ctx.reads.For("status")));
  auto top = OneInt(lease.db(), "SELECT connection FROM connections LIMIT 1");
  if (!top) {
    lease.Discard();
    return scope.Note(top.error());
  }
  return OkStatus();
}

}  // namespace

void AddStatusRoutes(Router& router, Context& ctx) {
  router.Add({"GET", "/api/v1/status", Access::kRead,
              [&ctx](const Request&) { return Json(StatusJson(ctx)); }});
  // For probes: no details (the reasons name no file), public like /healthz.
  router.Add({"GET", "/readyz", Access::kPublic, [&ctx](const Request&) {
                std::string failed;
                if (!StateWritable(ctx)) failed += " state database not writable;";
                if (!LogsqlReadable(ctx)) failed += " logsql not readable;";
                Response r;
                r.content_type = "text/plain; charset=utf-8";
                r.status = failed.empty() ? 200 : 503;
                r.body = failed.empty() ? "ready\n" : "not ready:" + failed + "\n";
                return r;
              }});
}

}  // namespace honeyvt::web
