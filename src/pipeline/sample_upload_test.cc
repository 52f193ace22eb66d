// The file an upload sends is the file that was hashed. Samples are swapped, after they
// were queued, for a symbolic link to a secret, another file, a FIFO, a directory, or a
// folder on the way for a link: nothing reaches VirusTotal, nothing is charged to the
// quota, and the job fails with the reason.
#include "pipeline/sample_upload.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/api_limits.h"
#include "core/digest.h"
#include "pipeline/engine_test_rig.h"
#include "pipeline/send_policy.h"

namespace honeyvt::pipeline {
namespace {

namespace fs = std::filesystem;
using domain::JobState;
using testing::kT0;
using testing::Rig;

constexpr char kContent[] = "the queued sample";

class SampleUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directory(rig_.dir / "samples");
    rig_.config.sources = {SourcePolicy{rig_.dir / "samples", UploadPolicy::kAlways, true}};
    rig_.Rebuild();
    // A secret outside the sample folder (the API key file, say).
    honeyvt::testing::WriteFile(rig_.dir / "secret", "HONEYVT_API_KEY=do-not-send");
    path_ = rig_.dir / "samples" / "sample";
    honeyvt::testing::WriteFile(path_, kContent);
    d_ = DigestBytes(kContent);
    domain::EnqueueItem item;
    item.md5 = d_.md5;
    item.sha1 = d_.sha1;
    item.sha256 = d_.sha256;
    item.path = path_.string();
    item.root = (rig_.dir / "samples").string();
    item.size = d_.size;
    ASSERT_TRUE(rig_.state.Enqueue(std::vector{item}, kT0));
    ASSERT_TRUE(*rig_.Step());  // lookup: unknown, upload due
    ASSERT_EQ(rig_.Job(d_.md5).state, JobState::kUpload);
  }

  // Runs the upload step; expects a failure naming `why` and nothing sent or charged.
  void ExpectRefused(const std::string& why) {
    ASSERT_TRUE(*rig_.Step());
    const domain::Job job = rig_.Job(d_.md5);
    EXPECT_EQ(job.state, JobState::kFailed);
    EXPECT_EQ(job.last_error.rfind(domain::kNotTheSampleReason, 0), 0u) << job.last_error;
    EXPECT_NE(job.last_error.find(why), std::string::npos) << job.last_error;
    EXPECT_EQ(rig_.vt.Count("upload"), 0);
    EXPECT_EQ(rig_.state.CountRequestsSince(kT0).value(), 1);  // the lookup only
  }

  Rig rig_;
  fs::path path_;
  ContentDigests d_;
};

TEST_F(SampleUploadTest, TheUnchangedFileIsUploaded) {
  ASSERT_TRUE(*rig_.Step());
  EXPECT_EQ(rig_.Job(d_.md5).state, JobState::kPoll);
  EXPECT_EQ(rig_.vt.Count("upload sample"), 1);
}

// Before: the upload re-opened the path and followed the link: the secret was sent.
TEST_F(SampleUploadTest, SymlinkToASecretIsNotFollowed) {
  fs::remove(path_);
  fs::create_symlink(rig_.dir / "secret", path_);
  ExpectRefused("symbolic link");
}

TEST_F(SampleUploadTest, SymlinkToAnIdenticalCopyOutsideIsRefusedToo) {
  honeyvt::testing::WriteFile(rig_.dir / "copy", kContent);
  fs::remove(path_);
  fs::create_symlink(rig_.dir / "copy", path_);
  ExpectRefused("symbolic link");
}

TEST_F(SampleUploadTest, ADifferentFileIsRefused) {
  std::string other = kContent;
  other.back() = '!';  // same size, other bytes
  honeyvt::testing::WriteFile(path_, other);
  ExpectRefused("other content");
}

TEST_F(SampleUploadTest, AFileOfAnotherSizeIsRefused) {
  honeyvt::testing::WriteFile(path_, std::string(kContent) + " and more");
  ExpectRefused("bytes, the queued sample");
}

TEST_F(SampleUploadTest, AFifoIsRefusedWithoutBlocking) {
  fs::remove(path_);
  ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
  ExpectRefused("a FIFO");
}

TEST_F(SampleUploadTest, ADirectoryIsRefused) {
  fs::remove(path_);
  fs::create_directory(path_);
  ExpectRefused("a directory");
}

// A folder on the way replaced by a link to a folder outside holding the same file name.
TEST_F(SampleUploadTest, ALinkedFolderOnTheWayIsRefused) {
  fs::create_directories(rig_.dir / "samples" / "sub");
  fs::create_directories(rig_.dir / "outside");
  honeyvt::testing::WriteFile(rig_.dir / "outside" / "s", kContent);
  domain::Job job = rig_.Job(d_.md5);
  job.path = (rig_.dir / "samples" / "sub" / "s").string();
  honeyvt::testing::WriteFile(job.path, kContent);
  ASSERT_TRUE(PrepareUpload(job, rig_.dir / "samples", kMaxUploadBytes));
  fs::remove_all(rig_.dir / "samples" / "sub");
  fs::create_directory_symlink(rig_.dir / "outside", rig_.dir / "samples" / "sub");
  auto refused = PrepareUpload(job, rig_.dir / "samples", kMaxUploadBytes);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_NE(refused.error().message.find("symbolic link"), std::string::npos);
}

TEST_F(SampleUploadTest, PathsOutsideTheRootAreNeverOpened) {
  domain::Job job = rig_.Job(d_.md5);
  for (const fs::path& p : {rig_.dir / "secret", rig_.dir / "samples" / ".." / "secret",
                            fs::path("secret"), fs::path("/etc/passwd")}) {
    job.path = p.string();
    auto refused = PrepareUpload(job, rig_.dir / "samples", kMaxUploadBytes);
    ASSERT_FALSE(refused) << p;
    EXPECT_EQ(refused.error().code, ErrorCode::kForbidden) << p;
  }
  // A job without a recorded root whose path lies outside every configured folder.
  job.path = (rig_.dir / "secret").string();
  job.root.clear();
  EXPECT_FALSE(SampleRoot(rig_.config, job).has_value());
}

TEST_F(SampleUploadTest, AVanishedFileIsAMissingFile) {
  fs::remove(path_);
  ASSERT_TRUE(*rig_.Step());
  const domain::Job job = rig_.Job(d_.md5);
  EXPECT_EQ(job.state, JobState::kFailed);
  EXPECT_EQ(job.last_error.rfind(domain::kMissingFileReason, 0), 0u) << job.last_error;
  EXPECT_EQ(rig_.vt.Count("upload"), 0);
}

// Changed in place after the check, before the bytes left: the body refuses to finish
// (the transfer is aborted before its last byte) and the job fails.
TEST_F(SampleUploadTest, ContentChangedWhileSendingFailsTheUpload) {
  auto upload = PrepareUpload(rig_.Job(d_.md5), rig_.dir / "samples", kMaxUploadBytes);
  ASSERT_TRUE(upload);
  std::string other = kContent;
  other.front() = 'T';
  honeyvt::testing::WriteFile(path_, other);  // same inode, same size
  char buf[4096];
  auto read = upload->body->Read(buf, sizeof buf);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kIo);
  EXPECT_NE(read.error().message.find("changed while it was being sent"), std::string::npos);
}

// Before: a file over v2's 32 MB passed the pipeline's 650 MB check, a quota unit was
// spent, and the client then refused it without a request.
TEST(SampleUploadLimitTest, FileOverV2LimitIsRefusedBeforeAnyQuotaIsCharged) {
  Rig rig;
  Options v2;
  v2.api_version = 2;
  rig.config.max_upload_size = PipelineConfig::FromOptions(v2).max_upload_size;
  rig.vt.version = 2;
  rig.Rebuild();
  const auto path = rig.File("big", "");
  fs::resize_file(path, kV2MaxUploadBytes + 1);  // sparse
  auto d = DigestFile(path);
  ASSERT_TRUE(d);
  domain::EnqueueItem item;
  item.md5 = d->md5;
  item.path = path;
  ASSERT_TRUE(rig.state.Enqueue(std::vector{item}, kT0));
  rig.Drain();
  const domain::Job job = rig.Job(d->md5);
  EXPECT_EQ(job.state, JobState::kFailed);
  EXPECT_EQ(job.last_error.rfind("too large", 0), 0u) << job.last_error;
  EXPECT_EQ(rig.vt.Count("upload"), 0);
  EXPECT_EQ(rig.state.CountRequestsSince(kT0).value(), 1);  // the lookup, no upload charge
  EXPECT_EQ(PipelineConfig::FromOptions(v2).max_upload_size, kV2MaxUploadBytes);
}

}  // namespace
}  // namespace honeyvt::pipeline
