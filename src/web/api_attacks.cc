// The attack list (root connections of a window, keyset pages read in bounded id chunks)
// and one attack's tree, exactly as `honeyvt tree -c ROOT LOGSQL` prints it.
#include <chrono>

#include "core/strings.h"
#include "tree/tree.h"
#include "web/api.h"
#include "web/api_util.h"

namespace honeyvt::web {
namespace {

using nlohmann::json;

constexpr std::int64_t kChunk = 4000;
constexpr auto kBudget = std::chrono::milliseconds(40);

json Opt(const store::Statement& s, int col) {
  if (s.IsNull(col)) return nullptr;
  if (s.Type(col) == store::ColumnType::kInteger) return s.Int64(col);
  if (s.Type(col) == store::ColumnType::kFloat) return s.Double(col);
  return s.Text(col);
}

// The id of the connection nearest the time bound (ids grow with time in dionaea).
Result<std::optional<std::int64_t>> IdAt(store::Database& db, double t, bool first) {
  ASSIGN_OR_RETURN(store::Statement s,
                   db.Prepare(first ? "SELECT connection FROM connections WHERE "
                                      "connection_timestamp >= ? ORDER BY connection_timestamp "
                                      "LIMIT 1"
                                    : "SELECT connection FROM connections WHERE "
                                      "connection_timestamp < ? ORDER BY connection_timestamp "
                                      "DESC LIMIT 1"));
  s.Bind(1, t);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(s.Int64(0));
}

constexpr const char* kColumns =
    "connection, connection_timestamp, connection_type, connection_transport, "
    "connection_protocol, local_port, remote_host, remote_hostname, remote_port, "
    "(SELECT count(*) FROM connections k WHERE k.connection_root = c.connection AND "
    "k.connection != c.connection)";

json Row(const store::Statement& s) {
  return {{"connection", s.Int64(0)}, {"time", Opt(s, 1)},
          {"type", Opt(s, 2)},        {"transport", Opt(s, 3)},
          {"protocol", Opt(s, 4)},    {"port", Opt(s, 5)},
          {"remote_host", Opt(s, 6)}, {"remote_hostname", Opt(s, 7)},
          {"remote_port", Opt(s, 8)}, {"children", s.Int64(9)}};
}

Result<json> Attacks(Context& ctx, const Request& req, const Window& w) {
  const int limit =
      static_cast<int>(std::clamp<std::int64_t>(IntParam(req, "limit").value_or(50), 1, 200));
  const std::string protocol = req.Param("protocol");
  const auto port = IntParam(req, "port");
  const std::string host = req.Param("host");
  const std::int64_t before = IntParam(req, "before").value_or(INT64_MAX);
  json rows = json::array();
  json next = nullptr;
  bool partial = false;
  ASSIGN_OR_RETURN(Pool::Lease lease, ctx.logsql->Acquire());
  store::Database& db = lease.db();
  std::string filters =
      " AND (c.connection_root = c.connection OR c.connection_root IS NULL) AND "
      "c.connection_timestamp >= ?3 AND c.connection_timestamp < ?4";
  if (!protocol.empty()) filters += " AND c.connection_protocol = ?5";
  if (port) filters += " AND c.local_port = ?6";
  auto bind = [&](store::Statement& s) {
    s.Bind(3, w.from);
    s.Bind(4, w.to);
    if (!protocol.empty()) s.Bind(5, protocol);
    if (port) s.Bind(6, *port);
  };
  if (!host.empty()) {
    // One attacker: its index bounds the read.
    ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(db, ctx.reads.For("attacks")));
    ASSIGN_OR_RETURN(store::Statement s,
                     db.Prepare(std::string("SELECT ") + kColumns +
                                " FROM connections c WHERE "
                                "c.remote_host = ?1 AND c.connection < ?2" +
                                filters + " ORDER BY c.connection DESC LIMIT ?7"));
    s.BindAll(host, before);
    bind(s);
    s.Bind(7, limit + 1);
    while (true) {
      auto row = s.Step();
      if (!row) return scope.Note(std::move(row).error());
      if (!*row) break;
      if (static_cast<int>(rows.size()) == limit) {
        next = rows.back()["connection"];
        break;
      }
      rows.push_back(Row(s));
    }
    return json{{"window", w.ToJson()}, {"rows", rows}, {"next_before", next}, {"partial", false}};
  }
  std::optional<std::int64_t> lo, hi;
  {
    ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(db, ctx.reads.For("attacks")));
    ASSIGN_OR_RETURN(lo, IdAt(db, w.from, true));
    ASSIGN_OR_RETURN(hi, IdAt(db, w.to, false));
  }
  if (!lo || !hi)
    return json{
        {"window", w.ToJson()}, {"rows", rows}, {"next_before", nullptr}, {"partial", false}};
  // Ids of a window are not strictly ordered by time: widen by a chunk on both sides.
  const std::int64_t low = std::max<std::int64_t>(0, std::min(*lo, *hi) - kChunk);
  std::int64_t top = std::min(before - 1, std::max(*lo, *hi) + kChunk);
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(store::Statement s,
                   db.Prepare(std::string("SELECT ") + kColumns +
                              " FROM connections c WHERE "
                              "c.connection > ?1 AND c.connection <= ?2" +
                              filters + " ORDER BY c.connection DESC LIMIT ?7"));
  while (top > low && static_cast<int>(rows.size()) <= limit) {
    if (std::chrono::steady_clock::now() - start > kBudget) {
      partial = true;
      next = top + 1;
      break;
    }
    const std::int64_t bottom = std::max(low, top - kChunk);
    {
      ASSIGN_OR_RETURN(ReadScope scope, ReadScope::Begin(db, ctx.reads.For("attacks")));
      s.Reset();
      s.BindAll(bottom, top);
      bind(s);
      s.Bind(7, limit + 1 - static_cast<int>(rows.size()));
      while (true) {
        auto row = s.Step();
        if (!row) return scope.Note(std::move(row).error());
        if (!*row) break;
        rows.push_back(Row(s));
      }
      s.Reset();
    }
    top = bottom;
  }
  if (static_cast<int>(rows.size()) > limit) {
    rows.erase(rows.end() - 1);
    next = rows.back()["connection"];
  }
  return json{{"window", w.ToJson()}, {"rows", rows}, {"next_before", next}, {"partial", partial}};
}

// Runs the tree of one root and returns its output. The tree module reads in its own short
// read transactions (one per page of roots; here one page), on connections of its own.
Result<std::string> TreeText(store::Database& db, const Context& ctx, std::int64_t root,
                             tree::Format format) {
  tree::TreeOptions o;
  o.db_label = ctx.options.logsql.string();
  o.filters.connection = root;
  o.format = format;
  tree::StringSink sink;
  RETURN_IF_ERROR(tree::RunTree(db, o, sink));
  return sink.str();
}

void CollectMd5s(const json& node, json& out) {
  if (node.contains("downloads")) {
    for (const auto& d : node["downloads"]) {
      if (d.contains("md5") && d["md5"].is_string()) out.push_back(d["md5"]);
    }
  }
  if (node.contains("children")) {
    for (const auto& c : node["children"]) CollectMd5s(c, out);
  }
}

Result<json> Neighbour(store::Database& db, std::int64_t id, bool previous) {
  ASSIGN_OR_RETURN(store::Statement s,
                   db.Prepare(previous ? "SELECT connection FROM connections WHERE connection < ? "
                                         "AND (connection_root = connection OR connection_root IS "
                                         "NULL) ORDER BY connection DESC LIMIT 1"
                                       : "SELECT connection FROM connections WHERE connection > ? "
                                         "AND (connection_root = connection OR connection_root IS "
                                         "NULL) ORDER BY connection LIMIT 1"));
  s.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? json(s.Int64(0)) : json(nullptr);
}

}  // namespace

void AddAttackRoutes(Router& router, Context& ctx) {
  router.Add({"GET", "/api/v1/attacks", Access::kRead, [&ctx](const Request& req) -> Response {
                auto w = ParseWindow(req, ctx.clock->Now());
                if (!w) return FromError(w.error());
                auto j = Attacks(ctx, req, *w);
                if (!j) return FromError(j.error());
                if (!req.Param("format").empty()) {
                  ApiTable t{{"connection", "time", "type", "transport", "protocol", "port",
                              "remote_host", "remote_hostname", "remote_port", "children"},
                             {}};
                  for (const auto& r : (*j)["rows"]) {
                    std::vector<json> row;
                    for (const auto& c : t.columns) row.push_back(r[c]);
                    t.rows.push_back(std::move(row));
                  }
                  return TableResponse(req, t, "attacks");
                }
                return Json(*j);
              }});
  router.Add({"GET", "/api/v1/attacks/{id}", Access::kRead, [&ctx](const Request& req) -> Response {
                auto id = ParseInt(req.path_params.at(0));
                if (!id || *id <= 0) return ErrorResponse(400, "not a connection id");
                auto lease = ctx.logsql->Acquire();
                if (!lease) return FromError(lease.error());
                auto text = TreeText(lease->db(), ctx, *id, tree::Format::kText);
                if (!text) return FromError(text.error());
                auto js = TreeText(lease->db(), ctx, *id, tree::Format::kJson);
                if (!js) return FromError(js.error());
                auto scope = ReadScope::Begin(lease->db(), ctx.reads.For("tree"));
                if (!scope) return FromError(scope.error());
                auto prev = Neighbour(lease->db(), *id, true);
                auto next = Neighbour(lease->db(), *id, false);
                scope->End();
                json md5s = json::array();
                json trees = json::array();
                std::size_t pos = 0;
                while (pos < js->size()) {
                  const auto end = js->find('\n', pos);
                  json t = json::parse(js->substr(pos, end - pos), nullptr, false);
                  if (!t.is_discarded()) CollectMd5s(t, md5s);
                  pos = end == std::string::npos ? js->size() : end + 1;
                }
                json out = {{"root", *id},
                            {"text", *text},
                            {"md5s", md5s},
                            {"command", "honeyvt tree -c " + std::to_string(*id) + " " +
                                            ShellQuote(ctx.options.logsql.string())},
                            {"found", text->find('\n') + 1 < text->size()}};
                out["previous"] = prev ? *prev : json(nullptr);
                out["next"] = next ? *next : json(nullptr);
                return Json(out);
              }});
}

}  // namespace honeyvt::web
