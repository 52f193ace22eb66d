// What may be sent is decided when it is sent: upload = never, comment = false, a
// folder's own policy and the restrictions recorded by dionaea's vtcache hold at the
// moment of the upload or the comment, not only at the lookup.
#include "pipeline/send_policy.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/digest.h"
#include "pipeline/engine_test_rig.h"

namespace honeyvt::pipeline {
namespace {

using domain::JobState;
using testing::kT0;
using testing::Rig;

// Steps a fresh sample to the upload state: its lookup found nothing.
ContentDigests QueueForUpload(Rig& rig, const std::string& content,
                              domain::EnqueueItem extra = {}) {
  const auto path = rig.File(content, content);
  const auto d = DigestBytes(content);
  domain::EnqueueItem item = extra;
  item.md5 = d.md5;
  item.sha1 = d.sha1;
  item.sha256 = d.sha256;
  item.path = path;
  item.source = "test";
  EXPECT_TRUE(rig.state.Enqueue(std::vector{item}, rig.clock.Now()));
  EXPECT_TRUE(*rig.Step());  // the lookup
  EXPECT_EQ(rig.Job(d.md5).state, JobState::kUpload);
  return d;
}

// Before: a job queued for upload while `upload = always` was uploaded after the switch
// to `never`.
TEST(SendPolicyTest, UploadNeverHoldsForJobsAlreadyWaitingToUpload) {
  Rig rig;
  const auto d = QueueForUpload(rig, "queued while always");
  rig.config.upload = UploadPolicy::kNever;  // the operator changes the policy (a restart)
  rig.Rebuild();
  EXPECT_TRUE(*rig.Step());
  const auto job = rig.Job(d.md5);
  EXPECT_EQ(job.state, JobState::kRelookup);
  EXPECT_EQ(job.next_action_at, kT0 + rig.config.relookup_interval);
  EXPECT_NE(job.last_error.find("upload = never"), std::string::npos) << job.last_error;
  EXPECT_EQ(rig.vt.Count("upload"), 0);
  EXPECT_EQ(rig.state.CountRequestsSince(kT0).value(), 1);  // the lookup only
}

// Before: a pending comment was posted after the switch to `comment = false`.
TEST(SendPolicyTest, CommentFalseDropsAPendingComment) {
  Rig rig;
  rig.vt.polls_until_complete = 0;
  const auto d = QueueForUpload(rig, "commented while allowed");
  EXPECT_TRUE(*rig.Step());  // upload
  rig.clock.Set(rig.Job(d.md5).next_action_at);
  EXPECT_TRUE(*rig.Step());  // poll: complete, stored, comment due
  ASSERT_EQ(rig.Job(d.md5).state, JobState::kComment);
  rig.config.comment = false;
  rig.Rebuild();
  EXPECT_TRUE(*rig.Step());
  const auto job = rig.Job(d.md5);
  EXPECT_EQ(job.state, JobState::kDone);
  EXPECT_NE(job.last_error.find("comment not posted: comment = false"), std::string::npos);
  EXPECT_EQ(rig.vt.Count("comment"), 0);
  EXPECT_EQ(rig.Rows("virustotals"), 1);  // the verdict is kept
}

// Before: nothing read what dionaea's vtcache import recorded; a sample offered again
// with a file was uploaded and commented.
TEST(SendPolicyTest, RecordedRestrictionsWinOverALaterArrivalWithAFile) {
  Rig rig;
  const auto d = QueueForUpload(rig, "on virustotal already");
  // import-dionaea-cache records the restriction after the watcher queued the file.
  domain::EnqueueItem cache;
  cache.md5 = d.md5;
  cache.source = "dionaea-vtcache:query-";
  cache.may_upload = false;
  cache.may_comment = false;
  ASSERT_TRUE(rig.state.Enqueue(std::vector{cache}, rig.clock.Now()));
  // ...and the watcher offers the file again: nothing relaxes a restriction.
  domain::EnqueueItem again;
  again.md5 = d.md5;
  again.path = (rig.dir / "on virustotal already").string();
  ASSERT_TRUE(rig.state.Enqueue(std::vector{again}, rig.clock.Now()));
  auto job = rig.Job(d.md5);
  EXPECT_FALSE(job.may_upload);
  EXPECT_FALSE(job.may_comment);
  EXPECT_TRUE(*rig.Step());
  job = rig.Job(d.md5);
  EXPECT_EQ(job.state, JobState::kRelookup);
  EXPECT_NE(job.last_error.find("vtcache"), std::string::npos) << job.last_error;
  EXPECT_EQ(rig.vt.Count("upload"), 0);
  // A comment due for such a sample is dropped as well.
  job.state = JobState::kComment;
  EXPECT_FALSE(CommentPermission(rig.config, job).allowed);
}

TEST(SendPolicyTest, AFoldersOwnPolicyAndTheStricterOfTwoFolders) {
  Rig rig;
  const auto open_dir = rig.dir.path();
  const auto partner = rig.dir / "partner";
  std::filesystem::create_directory(partner);
  rig.config.sources = {SourcePolicy{open_dir, UploadPolicy::kAlways, true},
                        SourcePolicy{partner, UploadPolicy::kNever, false}};
  rig.Rebuild();
  domain::Job job;
  job.path = (partner / "x").string();
  job.root = partner.string();
  job.seen_in = {partner.string()};
  EXPECT_FALSE(UploadPermission(rig.config, job).allowed);
  EXPECT_EQ(UploadPermission(rig.config, job).why_not, "upload = never for " + partner.string());
  EXPECT_FALSE(CommentPermission(rig.config, job).allowed);
  // The same content also captured in the open folder: still private (stricter wins).
  job.path = (open_dir / "x").string();
  job.root = open_dir.string();
  job.seen_in = {open_dir.string(), partner.string()};
  EXPECT_FALSE(UploadPermission(rig.config, job).allowed);
  job.seen_in = {open_dir.string()};
  EXPECT_TRUE(UploadPermission(rig.config, job).allowed);
  EXPECT_TRUE(CommentPermission(rig.config, job).allowed);
  // The global key is the ceiling of every folder.
  rig.config.comment = false;
  EXPECT_FALSE(CommentPermission(rig.config, job).allowed);

  // End to end: a file in the partner folder is looked up, never uploaded.
  const auto d = DigestBytes("partner sample");
  honeyvt::testing::WriteFile(partner / "p", "partner sample");
  domain::EnqueueItem item;
  item.md5 = d.md5;
  item.sha256 = d.sha256;
  item.path = (partner / "p").string();
  item.root = partner.string();
  ASSERT_TRUE(rig.state.Enqueue(std::vector{item}, rig.clock.Now()));
  rig.Drain();
  EXPECT_EQ(rig.Job(d.md5).state, JobState::kRelookup);
  EXPECT_EQ(rig.vt.Count("upload"), 0);
}

TEST(SendPolicyTest, PerFolderPolicyFromOptionsIsTheStricterOfFolderAndGlobal) {
  honeyvt::testing::TempDir dir;
  std::filesystem::create_directory(dir / "bin");
  std::filesystem::create_directory(dir / "partner");
  std::filesystem::create_directory(dir / "loud");
  Options o;
  o.binaries = dir / "bin";
  o.watch = {dir / "partner", dir / "loud", dir / "later"};
  o.folder_policy = {{dir / "partner", UploadPolicy::kNever, false},
                     {dir / "loud", UploadPolicy::kAlways, true}};
  o.comment = false;
  const PipelineConfig c = PipelineConfig::FromOptions(o);
  ASSERT_EQ(c.sources.size(), 4u);
  EXPECT_EQ(c.sources[0].root, std::filesystem::canonical(dir / "bin"));
  EXPECT_EQ(c.sources[1].upload, UploadPolicy::kNever);
  EXPECT_FALSE(c.sources[1].comment);
  EXPECT_EQ(c.sources[2].upload, UploadPolicy::kAlways);
  EXPECT_FALSE(c.sources[2].comment);  // a folder cannot allow what the global key forbids
  EXPECT_EQ(c.sources[3].root, (dir / "later").lexically_normal());  // not there yet
}

TEST(SendPolicyTest, SampleRootIsTheRecordedRootElseTheConfiguredFolderHoldingThePath) {
  Rig rig;
  domain::Job job;
  job.path = (rig.dir / "a" / "b").string();
  EXPECT_EQ(SampleRoot(rig.config, job), rig.dir.path());
  job.root = "/named/at/enqueue";
  EXPECT_EQ(SampleRoot(rig.config, job), std::filesystem::path("/named/at/enqueue"));
  job.root.clear();
  job.path = "/elsewhere/x";
  EXPECT_FALSE(SampleRoot(rig.config, job).has_value());
  job.path = (rig.dir / ".." / "x").string();
  EXPECT_FALSE(SampleRoot(rig.config, job).has_value());
}

}  // namespace
}  // namespace honeyvt::pipeline
