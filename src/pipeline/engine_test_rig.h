#pragma once
// Test-only: one Engine over a temporary state database, a temporary logsql database and
// the scripted FakeClient, shared by engine_test.cc and engine_batch_test.cc.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/testing.h"
#include "pipeline/engine.h"
#include "pipeline/fake_client.h"
#include "store/logsql_writer.h"
#include "store/state_db.h"

namespace honeyvt::pipeline::testing {

using std::chrono::seconds;

inline const TimePoint kT0 = FromUnixSeconds(std::int64_t{1700000000});

// One engine over a temporary state database, a temporary logsql database and the fake.
struct Rig {
  honeyvt::testing::TempDir dir;
  FakeClock clock{kT0, /*auto_advance=*/false};
  FakeClient vt{&clock};
  store::StateDb state = *store::StateDb::Open(dir / "state.sqlite");
  std::optional<store::LogsqlWriter> writer;
  std::optional<LogsqlSink> sink;
  PipelineConfig config;
  std::optional<QuotaGovernor> quota;
  std::optional<PollSchedule> polls;
  Backoff backoff{42};
  std::optional<Engine> engine;

  explicit Rig(std::vector<std::string> windows = {}) {
    EXPECT_TRUE(store::Logsql::Create(dir / "logsql.sqlite"));
    writer.emplace(*store::LogsqlWriter::Open(dir / "logsql.sqlite", clock));
    sink.emplace(*writer, 3);
    config.comment_text = "test comment";
    config.first_poll_default = seconds(120);
    // Sample files live in `dir`: the one folder uploads may read from.
    config.sources = {SourcePolicy{dir.path(), UploadPolicy::kAlways, true}};
    quota.emplace(*ParseQuotaWindows(windows), &state);
    Rebuild();
  }
  void Rebuild() {
    polls.emplace(config);
    engine.emplace(
        config, EngineDeps{&state, &state, &vt, &*sink, &clock, &*quota, &*polls, &backoff, 4242});
  }
  Result<bool> Step() { return engine->Step({}); }
  // Steps until nothing is due now; returns the number of steps.
  int Drain() {
    int n = 0;
    while (true) {
      auto r = Step();
      EXPECT_TRUE(r) << r.error().ToString();
      if (!r || !*r) return n;
      ++n;
    }
  }
  domain::Job Job(const std::string& hash) { return **state.Find(hash); }
  std::string File(const std::string& name, const std::string& content) {
    honeyvt::testing::WriteFile(dir / name, content);
    return (dir / name).string();
  }
  void Enqueue(const ContentDigests& d, const std::string& path) {
    domain::EnqueueItem item{d.md5, d.sha1, d.sha256, path, "test", 0};
    ASSERT_TRUE(state.Enqueue(std::vector{item}, clock.Now()));
  }
  void EnqueueHash(const std::string& md5, int priority = 0) {
    domain::EnqueueItem item{md5, "", "", "", "test", priority};
    ASSERT_TRUE(state.Enqueue(std::vector{item}, clock.Now()));
  }
  std::int64_t Rows(const char* table) {
    auto db = store::Database::Open(dir / "logsql.sqlite", {});
    auto stmt = db->Prepare(std::string("SELECT count(*) FROM ") + table);
    EXPECT_TRUE(*stmt->Step());
    return stmt->Int64(0);
  }
};

inline const std::string kKnownMd5(32, '1');

}  // namespace honeyvt::pipeline::testing
