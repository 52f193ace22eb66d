#include "vt/metered_transport.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "vt/factory.h"
#include "vt/fake_transport.h"

namespace honeyvt::vt {
namespace {

class Recorder final : public RequestObserver {
 public:
  void OnRequest(const RequestRecord& r) override { records.push_back(r); }
  std::vector<RequestRecord> records;
};

constexpr const char* kMd5 = "44d88612fea8a8f36de82e1237e6c87d";

TEST(MeteredTransportTest, NamesEveryV3EndpointAndStatusWithoutHashesOrKeys) {
  auto fake = std::make_shared<FakeTransport>();
  Recorder rec;
  FakeClock clock(FromUnixSeconds(std::int64_t{1700000000}));
  Options o;
  o.api_key = Secret("k");
  auto client = MakeClient(o, std::make_shared<MeteredTransport>(fake, rec, 3, clock));
  const auto hash = *domain::Hash::Parse(kMd5);
  fake->Reply(404, R"({"error":{"code":"NotFoundError","message":"x"}})");
  (void)client->GetFileReport(hash);
  fake->Reply(429, R"({"error":{"code":"QuotaExceededError","message":"x"}})");
  (void)client->GetAnalysis("abc");
  fake->Fail(ErrorCode::kTransient, "connection reset");
  (void)client->AddComment(hash, "hi");
  honeyvt::testing::TempDir dir;
  honeyvt::testing::WriteFile(dir / "s", std::string(1234, 'x'));
  fake->Reply(200, R"({"data":{"type":"analysis","id":"abc"}})");
  (void)client->UploadFile(UploadOf(dir / "s"));
  ASSERT_EQ(rec.records.size(), 4u);
  EXPECT_EQ(rec.records[0].endpoint, "file_report");
  EXPECT_EQ(rec.records[0].code, "404");
  EXPECT_EQ(rec.records[0].api, 3);
  EXPECT_EQ(rec.records[0].at, clock.Now());
  EXPECT_EQ(rec.records[1].endpoint, "analysis");
  EXPECT_EQ(rec.records[1].code, "429");
  EXPECT_EQ(rec.records[2].endpoint, "comment");
  EXPECT_EQ(rec.records[2].code, "network");
  EXPECT_EQ(rec.records[3].endpoint, "upload");
  EXPECT_EQ(rec.records[3].code, "200");
  EXPECT_EQ(rec.records[3].upload_bytes, 1234);
}

TEST(MeteredTransportTest, TellsV2BatchesFromSingleReports) {
  auto fake = std::make_shared<FakeTransport>();
  Recorder rec;
  FakeClock clock(FromUnixSeconds(std::int64_t{1700000000}));
  Options o;
  o.api_version = 2;
  o.api_key = Secret("k");
  auto client = MakeClient(o, std::make_shared<MeteredTransport>(fake, rec, 2, clock));
  const auto a = *domain::Hash::Parse(kMd5);
  const auto b = *domain::Hash::Parse("0123456789abcdef0123456789abcdef");
  fake->Reply(204, "");
  (void)client->GetFileReport(a);
  fake->Reply(204, "");
  std::vector<domain::Hash> both = {a, b};
  (void)client->GetFileReports(both);
  fake->Reply(204, "");
  (void)client->AddComment(a, "hi");
  ASSERT_EQ(rec.records.size(), 3u);
  EXPECT_EQ(rec.records[0].endpoint, "file_report");
  EXPECT_EQ(rec.records[0].code, "204");
  EXPECT_EQ(rec.records[1].endpoint, "batch_report");
  EXPECT_EQ(rec.records[2].endpoint, "comment");
}

}  // namespace
}  // namespace honeyvt::vt
