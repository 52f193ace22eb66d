#include "pipeline/reload.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "pipeline/fake_client.h"
#include "store/logsql_writer.h"
#include "store/state_db.h"

namespace honeyvt::pipeline {
namespace {

const TimePoint kT0 = FromUnixSeconds(std::int64_t{1700000000});

struct Running {
  Running()
      : clock(kT0),
        state(*store::StateDb::Open(dir / "state.sqlite")),
        quota(*ParseQuotaWindows({"4/1m"}), &state),
        polls(config),
        engine(config, {&state, &state, &vt, nullptr, &clock, &quota, &polls, &backoff, 1}) {}
  honeyvt::testing::TempDir dir;
  FakeClock clock;
  testing::FakeClient vt;
  store::StateDb state;
  PipelineConfig config;
  QuotaGovernor quota;
  PollSchedule polls;
  Backoff backoff{1};
  Engine engine;
};

TEST(ReloadTest, NewQuotaAndPolicyReplaceTheRunningOnes) {
  Running r;
  ASSERT_TRUE(r.quota.Record(kT0, "lookup"));
  Options next;
  next.quota = {"100/1m", "1000/1d"};
  next.upload = UploadPolicy::kNever;
  next.comment = false;
  ASSERT_TRUE(ApplyReload(next, PipelineConfig::FromOptions(next), r.engine, r.quota, r.state,
                          kT0 + std::chrono::seconds(1)));
  ASSERT_EQ(r.quota.windows().size(), 2u);
  EXPECT_EQ(r.quota.windows()[0].limit, 100);
  // The new governor knows the request made before the reload (from the request log).
  EXPECT_EQ(r.quota.Usage(kT0 + std::chrono::seconds(1))[0].used, 1);
  EXPECT_EQ(r.engine.config().upload, UploadPolicy::kNever);
  EXPECT_FALSE(r.engine.config().comment);
}

TEST(ReloadTest, InvalidQuotaChangesNothing) {
  Running r;
  Options next;
  next.quota = {"4/1m", "lots/1d"};
  next.upload = UploadPolicy::kNever;
  Status st = ApplyReload(next, PipelineConfig::FromOptions(next), r.engine, r.quota, r.state, kT0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(st.error().message.find("lots/1d"), std::string::npos) << st.error().message;
  ASSERT_EQ(r.quota.windows().size(), 1u);
  EXPECT_EQ(r.quota.windows()[0].spec, "4/1m");
  EXPECT_EQ(r.engine.config().upload, UploadPolicy::kAlways);
}

TEST(ReloadTest, APauseOrderedByVirusTotalCarriesOver) {
  Running r;
  r.quota.PauseUntil(kT0 + std::chrono::minutes(5));
  Options next;
  next.quota = {"100/1m"};
  ASSERT_TRUE(
      ApplyReload(next, PipelineConfig::FromOptions(next), r.engine, r.quota, r.state, kT0));
  EXPECT_EQ(r.quota.paused_until(), kT0 + std::chrono::minutes(5));
  EXPECT_FALSE(r.quota.Available(kT0 + std::chrono::minutes(1)));
}

TEST(ReloadTest, KeysThatNeedARestartAreNamedAndKept) {
  Options running;
  running.logsql = "/a/dionaea.sqlite";
  running.api_key = Secret("key-one");
  Options next = running;
  next.logsql = "/b/dionaea.sqlite";
  next.api_key = Secret("key-two");
  next.base_url = "https://example.invalid/api/v3/";
  next.quota = {"1/1s"};
  next.log_level = "debug";
  EXPECT_EQ(KeysNeedingRestart(running, next),
            (std::vector<std::string>{"logsql", "state", "base_url", "HONEYVT_API_KEY"}));
  const Options kept = KeepRestartKeys(running, next);
  EXPECT_EQ(kept.logsql, running.logsql);
  EXPECT_EQ(kept.api_key.Reveal(), "key-one");
  EXPECT_TRUE(kept.base_url.empty());
  EXPECT_EQ(kept.quota, std::vector<std::string>{"1/1s"});  // reloadable keys follow `next`
  EXPECT_EQ(kept.log_level, "debug");
  EXPECT_TRUE(KeysNeedingRestart(running, kept).empty());
}

}  // namespace
}  // namespace honeyvt::pipeline
