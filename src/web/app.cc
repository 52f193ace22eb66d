#include "web/app.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "store/state_db.h"
#include "web/api.h"
#include "web/context.h"
#include "web/metrics_catalog.h"
#include "web/report_service.h"
#include "web/rollups.h"
#include "web/routes.h"
#include "web/server.h"

namespace honeyvt::web {

struct WebApp::Impl {
  MetricsRegistry registry;
  Catalog catalog;
  Context ctx;
  std::unique_ptr<Pool> logsql, state, rollups, replica;
  std::unique_ptr<ReportService> reports;
  std::filesystem::path rollup_path;  // the state database, or a private file (read-only state)
  std::unique_ptr<RollupUpdater> updater;
  std::optional<store::Database> updater_db;
  std::mutex update_mu;  // one Pass at a time (thread and tests)
  Router router;
  std::filesystem::path token_file;
  ListenAddress listen;
  std::unique_ptr<HttpServer> server;
  std::jthread follower;        // stopped and joined first
  std::jthread reports_thread;  // the report replica and report runs

  ~Impl() {
    if (server) server->Stop();
    follower = std::jthread();
    reports_thread = std::jthread();
    if (!private_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(private_dir, ec);
    }
  }
  std::filesystem::path private_dir;

  Result<std::int64_t> Update() {
    std::lock_guard lock(update_mu);
    if (!updater) {
      ASSIGN_OR_RETURN(
          store::Database db,
          store::Database::Open(rollup_path, {.mode = store::OpenMode::kReadWrite,
                                              .busy_timeout = std::chrono::milliseconds(5000),
                                              .owned = true}));
      updater_db.emplace(std::move(db));
      RollupMetrics m{catalog.ingest_rows, catalog.ingest_last_event, catalog.detection_ratio,
                      ctx.reads.For("rollups")};
      updater = std::make_unique<RollupUpdater>(*logsql, *updater_db, *ctx.clock, m);
    }
    ASSIGN_OR_RETURN(std::int64_t n, updater->Pass());
    ctx.rollups_ready = true;
    ctx.rollups_as_of = ToUnixSeconds(ctx.clock->Now());
    return n;
  }
};

namespace {

void RegisterBuildInfo(MetricsRegistry& registry, int api_version) {
  registry
      .AddGauge("honeyvt_build_info", "honeyvt's version; always 1.",
                {"version", "revision", "vt_api"})
      .With({HONEYVT_VERSION, HONEYVT_REVISION, "v" + std::to_string(api_version)})
      .Set(1);
  RegisterProcessMetrics(registry);
}

}  // namespace

void AddMetricsRoute(Router& router, MetricsRegistry& registry) {
  router.Add({"GET", "/metrics", Access::kRead, [&registry](const Request&) {
                Response r;
                r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                r.body = registry.Render();
                return r;
              }});
}

Result<std::unique_ptr<WebApp>> WebApp::Start(const WebConfig& config, Clock& clock) {
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(impl->listen, ParseListenAddress(config.listen));
  const Options& o = config.options;
  if (!impl->listen.loopback && o.web_token_file.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "web: refusing to listen on " + config.listen +
                         " (not a loopback address) without web_token_file: anyone who can "
                         "reach it could read the dashboard. Set web_token_file, or use an SSH "
                         "tunnel or a TLS reverse proxy to a loopback address");
  }
  const std::filesystem::path state_path = o.StatePath();
  // The state database: created and migrated if we may write, else read as it is.
  bool writable = true;
  {
    auto state = store::StateDb::Open(state_path);
    if (!state) {
      writable = false;
      spdlog::warn("web: state database {} not writable ({}); the dashboard is read-only",
                   state_path.string(), state.error().ToString());
    }
  }
  impl->token_file = o.web_token_file.empty()
                         ? std::filesystem::path(state_path.string() + ".web-token")
                         : o.web_token_file;
  ASSIGN_OR_RETURN(std::string token, LoadOrCreateToken(impl->token_file, true));

  MetricsRegistry& registry = impl->registry;
  RegisterBuildInfo(registry, o.api_version);
  impl->ctx.reads.duration = &registry.AddHistogram(
      "honeyvt_logsql_read_duration_seconds",
      "Length of the dashboard's read transactions on dionaea's logsql database, by reader.",
      {"reader"}, {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25});
  impl->ctx.reads.longest = &registry.AddGauge(
      "honeyvt_logsql_read_longest_seconds",
      "The longest read transaction of each reader on logsql since the start (target: "
      "under 0.05 s, so dionaea's commits never wait long).",
      {"reader"});
  for (const char* reader : kLogsqlReaders) {
    impl->ctx.reads.duration->With({reader});
    impl->ctx.reads.longest->With({reader});
  }
  impl->ctx.reads.busy = &registry.AddCounter(
      "honeyvt_logsql_busy_total",
      "Reads and writes of logsql that found it locked past their busy timeout.");
  impl->ctx.reads.busy->With({});

  // A read waiting for dionaea's write lock does not delay dionaea (its PENDING lock keeps
  // new readers out while it commits), so the dashboard waits up to 1 s, the length of a
  // slow commit on a busy disk, before it answers 503.
  const std::filesystem::path logsql_path = o.logsql;
  impl->logsql = std::make_unique<Pool>(
      [logsql_path] { return OpenLogsqlReader(logsql_path, std::chrono::seconds(1)); },
      logsql_path);
  impl->state = std::make_unique<Pool>([state_path, writable]() -> Result<store::Database> {
    return store::Database::Open(
        state_path, {.mode = writable ? store::OpenMode::kReadWrite : store::OpenMode::kReadOnly,
                     .busy_timeout = std::chrono::milliseconds(2000)});
  });
  Context& ctx = impl->ctx;
  ctx.options = o;
  ctx.clock = &clock;
  ctx.logsql = impl->logsql.get();
  ctx.state = impl->state.get();
  // Rollups live in the state database; beside a read-only one, in a private file.
  impl->rollup_path = state_path;
  if (!writable) {
    char tmpl[] = "/tmp/honeyvt-web-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr)
      return MakeError(ErrorCode::kIo, "web: cannot create a temporary directory");
    impl->private_dir = tmpl;
    impl->rollup_path = impl->private_dir / "rollups.sqlite";
    ASSIGN_OR_RETURN(store::StateDb scratch, store::StateDb::Open(impl->rollup_path));
    (void)scratch;
  }
  const std::filesystem::path rollup_path = impl->rollup_path;
  impl->rollups = std::make_unique<Pool>([rollup_path]() -> Result<store::Database> {
    return store::Database::Open(rollup_path, {.mode = store::OpenMode::kReadOnly,
                                               .busy_timeout = std::chrono::milliseconds(2000)});
  });
  ctx.rollups = impl->rollups.get();
  // The report replica: beside the state database (or the private rollups).
  const std::filesystem::path replica_path =
      writable ? std::filesystem::path(state_path.string() + ".web-reports")
               : impl->private_dir / "reports.sqlite";
  impl->replica = std::make_unique<Pool>([replica_path]() -> Result<store::Database> {
    return store::Database::Open(replica_path, {.mode = store::OpenMode::kReadOnly,
                                                .busy_timeout = std::chrono::milliseconds(2000)});
  });
  ctx.replica = impl->replica.get();
  {
    ReportService::Config rc;
    rc.logsql = o.logsql;
    rc.replica = replica_path;
    rc.logsql_pool = impl->logsql.get();
    rc.reads = ctx.reads;  // replica and report_history
    rc.inline_runs = !config.follow;
    if (!config.follow) rc.refresh_after = Duration::zero();
    impl->reports = std::make_unique<ReportService>(rc, clock);
  }
  ctx.reports = impl->reports.get();
  ctx.actions_enabled = writable;
  ctx.in_daemon = config.in_daemon;
  ctx.version = HONEYVT_VERSION;
  ctx.revision = HONEYVT_REVISION;
  ctx.started_at = clock.Now();
  {
    const std::string& base = o.base_url;
    const auto scheme = base.find("://");
    const std::string host = scheme == std::string::npos ? "" : base.substr(scheme + 3);
    ctx.simulated = !base.empty() && base.rfind("http://", 0) == 0 &&
                    (host.rfind("127.", 0) == 0 || host.rfind("localhost", 0) == 0 ||
                     host.rfind("[::1]", 0) == 0);
  }
  impl->catalog = RegisterCatalog(registry, ctx);
  Impl* raw = impl.get();
  ctx.gate = [raw] { return &raw->server->gate(); };

  AddStaticRoutes(impl->router, ctx);
  AddMetricsRoute(impl->router, registry);
  AddOverviewRoutes(impl->router, ctx);
  AddQueueRoutes(impl->router, ctx);
  AddSampleRoutes(impl->router, ctx);
  AddAttackRoutes(impl->router, ctx);
  AddReportRoutes(impl->router, ctx);
  AddStatusRoutes(impl->router, ctx);
  HttpMetrics http = RegisterHttpMetrics(registry, impl->router);
  Gate::Config gate;
  gate.listen = impl->listen;
  gate.hosts = o.web_hosts;
  gate.token = token;
  gate.login_required = !impl->listen.loopback;
  ASSIGN_OR_RETURN(impl->server, HttpServer::Start(
                                     impl->listen, impl->router,
                                     [gate, &clock](int port) mutable {
                                       gate.port = port;
                                       return std::make_unique<Gate>(gate, clock);
                                     },
                                     http));
  if (config.follow) {
    impl->follower = std::jthread([raw](std::stop_token stop) {
      std::string last_error;
      do {
        auto n = raw->Update();
        if (!n && n.error().ToString() != last_error) {
          last_error = n.error().ToString();
          spdlog::warn("web: updating the dashboard's rollups: {} (retrying)", last_error);
        } else if (n) {
          last_error.clear();
        }
      } while (raw->ctx.clock->SleepFor(std::chrono::seconds(2), stop));
    });
  }
  if (config.follow) {
    impl->reports_thread = std::jthread(
        [raw](std::stop_token stop) { raw->reports->RunThread(stop, std::chrono::seconds(2)); });
  }
  if (!impl->listen.loopback) {
    spdlog::warn("web: listening on {} (not loopback): every page needs the token in {}",
                 config.listen, impl->token_file.string());
  }
  return std::unique_ptr<WebApp>(new WebApp(std::move(impl)));
}

WebApp::WebApp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebApp::~WebApp() = default;

Result<std::int64_t> WebApp::UpdateRollups() { return impl_->Update(); }

int WebApp::port() const { return impl_->server->port(); }

std::string WebApp::url() const {
  const std::string& h = impl_->listen.host;
  const std::string host = h.find(':') != std::string::npos ? "[" + h + "]" : h;
  return "http://" + host + ":" + std::to_string(port()) + "/";
}

std::filesystem::path WebApp::token_file() const { return impl_->token_file; }

pipeline::Instruments WebApp::instruments() const { return impl_->catalog.daemon; }

Result<std::unique_ptr<WebApp>> StartInDaemon(const Options& options, Clock& clock) {
  if (options.web.empty()) return std::unique_ptr<WebApp>();
  WebConfig config;
  config.options = options;
  config.listen = options.web;
  config.in_daemon = true;
  ASSIGN_OR_RETURN(std::unique_ptr<WebApp> app, WebApp::Start(config, clock));
  spdlog::info("web: dashboard and /metrics at {} (access token in {})", app->url(),
               app->token_file().string());
  return app;
}

}  // namespace honeyvt::web
