// The v2 client against a scripted transport: form fields, batches in request order,
// response codes and HTTP statuses, and that the key stays out of URLs and errors.

#include <gtest/gtest.h>

#include "core/api_limits.h"
#include "core/testing.h"
#include "vt/factory.h"
#include "vt/fake_transport.h"

namespace honeyvt::vt {
namespace {

using testing::FixturesDir;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

constexpr char kKey[] = "v2secretkey";
constexpr char kSha256[] = "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b";
constexpr char kMd5[] = "68b329da9893e34099c7d8ad5cb9c940";
constexpr char kOtherMd5[] = "b214da9f6b0d6e6de5090b3f9672defe";

std::string Fixture(const std::string& name) {
  return ReadFile(FixturesDir() / "vt-fixtures" / name);
}

class V2ClientTest : public ::testing::Test {
 protected:
  V2ClientTest() {
    options_.api_version = 2;
    options_.base_url = "http://127.0.0.1:9/vtapi/v2/";
    options_.api_key = Secret(kKey);
  }
  std::unique_ptr<Client> NewClient() { return MakeClient(options_, transport_); }
  static domain::Hash H(const char* hex) { return *domain::Hash::Parse(hex); }

  Options options_;
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  TempDir dir_;
};

TEST_F(V2ClientTest, ReportPostsKeyAsFormField) {
  transport_->Reply(200, Fixture("v2-file-report-found.json"));
  auto client = NewClient();
  EXPECT_EQ(client->api_version(), 2);
  EXPECT_EQ(client->MaxBatch(), 4);
  auto r = client->GetFileReport(H(kSha256));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->engines.size(), 55u);
  EXPECT_EQ(r->last_analysis_date, 1418032127);
  const HttpRequest& req = transport_->last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://127.0.0.1:9/vtapi/v2/file/report");
  EXPECT_EQ(FormValue(req, "apikey"), kKey);
  EXPECT_EQ(FormValue(req, "resource"), kSha256);
  EXPECT_FALSE(req.multipart);
  EXPECT_EQ(req.url.find(kKey), std::string::npos);
  EXPECT_EQ(HeaderValue(req, "x-apikey"), "");
}

// Redaction used to run over whole reply bodies: with the key "K" the v2 scans map came
// back with "<redacted>aspersky". Only messages are redacted now.
TEST_F(V2ClientTest, OneCharacterKeyRedactsMessagesNotReportData) {
  options_.api_key = Secret("K");
  transport_->Reply(200, Fixture("v2-file-report-found.json"));
  transport_->Reply(403, "Key K is wrong");
  auto client = NewClient();
  auto report = client->GetFileReport(*domain::Hash::Parse("68b329da9893e34099c7d8ad5cb9c940"));
  ASSERT_TRUE(report) << report.error().ToString();
  int kaspersky = 0;
  for (const domain::EngineResult& e : report->engines) {
    EXPECT_EQ(e.engine.find("<redacted>"), std::string::npos) << e.engine;
    kaspersky += e.engine == "Kaspersky" ? 1 : 0;
    kaspersky += e.engine == "K7GW" || e.engine == "K7AntiVirus" || e.engine == "Kingsoft" ? 1 : 0;
  }
  EXPECT_EQ(kaspersky, 4);
  auto echoed = client->GetFileReport(*domain::Hash::Parse("68b329da9893e34099c7d8ad5cb9c940"));
  ASSERT_FALSE(echoed);
  EXPECT_EQ(echoed.error().message.find('K'), std::string::npos) << echoed.error().message;
}

TEST_F(V2ClientTest, DefaultBaseUrlIsVirusTotal) {
  options_.base_url.clear();
  transport_->Reply(200, Fixture("v2-file-report-found.json"));
  ASSERT_TRUE(NewClient()->GetFileReport(H(kSha256)));
  EXPECT_EQ(transport_->last().url, "https://www.virustotal.com/vtapi/v2/file/report");
}

TEST_F(V2ClientTest, BatchAnswersInRequestOrder) {
  const std::string found = Fixture("v2-file-report-found.json");
  const std::string missing = Fixture("v2-file-report-not-found.json");
  const std::string queued = R"({"response_code": -2, "resource": "x", "scan_id": "x-1"})";
  transport_->Reply(200, "[" + missing + "," + found + "," + queued + "]");
  std::vector<domain::Hash> hashes = {H(kOtherMd5), H(kMd5), H(kSha256)};
  auto reports = NewClient()->GetFileReports(hashes);
  ASSERT_TRUE(reports) << reports.error().ToString();
  ASSERT_EQ(reports->size(), 3u);
  EXPECT_EQ((*reports)[0].error().code, ErrorCode::kNotFound);
  ASSERT_TRUE((*reports)[1]) << (*reports)[1].error().ToString();
  EXPECT_EQ((*reports)[1]->md5, kMd5);
  EXPECT_EQ((*reports)[2].error().code, ErrorCode::kQueued);
  EXPECT_EQ(FormValue(transport_->last(), "resource"),
            std::string(kOtherMd5) + "," + kMd5 + "," + kSha256);
}

TEST_F(V2ClientTest, BatchItemForAnotherFileIsAnError) {
  transport_->Reply(200, "[" + Fixture("v2-file-report-found.json") + "]");
  // Asked for kOtherMd5, got the report of kMd5: that item fails, nothing is misfiled.
  auto reports = NewClient()->GetFileReport(H(kOtherMd5));
  ASSERT_FALSE(reports);
  EXPECT_EQ(reports.error().code, ErrorCode::kTransient);
}

TEST_F(V2ClientTest, BatchSizeIsConfigurableAndEnforced) {
  std::vector<domain::Hash> five(5, H(kMd5));
  auto refused = NewClient()->GetFileReports(five);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(transport_->requests().empty());
  options_.v2_batch_size = 25;
  EXPECT_EQ(NewClient()->MaxBatch(), 25);
  options_.v2_batch_size = 100;
  EXPECT_EQ(NewClient()->MaxBatch(), 25);
  options_.v2_batch_size = 0;
  EXPECT_EQ(NewClient()->MaxBatch(), 1);
}

TEST_F(V2ClientTest, HttpStatusesAndResponseCodes) {
  struct Case {
    const char* name;
    int status;
    std::string body;
    ErrorCode expected;
  };
  const std::vector<Case> cases = {
      {"204 quota", 204, "", ErrorCode::kQuotaExceeded},
      {"403 key", 403, "", ErrorCode::kAuthFailed},
      {"400", 400, "", ErrorCode::kBadRequest},
      {"404 endpoint", 404, "<html>gone</html>", ErrorCode::kBadRequest},
      {"500", 500, "", ErrorCode::kTransient},
      {"503", 503, "", ErrorCode::kTransient},
      {"code 0", 200, Fixture("v2-file-report-not-found.json"), ErrorCode::kNotFound},
      {"code -2", 200, R"({"response_code": -2, "resource": "x"})", ErrorCode::kQueued},
      {"code -1", 200, R"({"response_code": -1})", ErrorCode::kTransient},
      {"not json", 200, "<html>", ErrorCode::kTransient},
      {"echoes key", 400, std::string("bad apikey ") + kKey, ErrorCode::kBadRequest},
  };
  auto client = NewClient();
  for (const Case& c : cases) {
    transport_->Reply(c.status, c.body, {{"retry-after", "30"}});
    auto r = client->GetFileReport(H(kMd5));
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code, c.expected) << c.name << ": " << r.error().ToString();
    EXPECT_EQ(r.error().message.find(kKey), std::string::npos) << c.name;
  }
  transport_->Reply(204, "", {{"retry-after", "30"}});
  EXPECT_EQ(client->GetFileReport(H(kMd5)).error().retry_after, std::chrono::seconds(30));
}

TEST_F(V2ClientTest, GetAnalysisLooksUpTheScanId) {
  const std::string scan_id = std::string(kSha256) + "-1418032127";
  transport_->Reply(200, R"({"response_code": -2, "resource": ")" + scan_id + R"("})");
  transport_->Reply(200, Fixture("v2-file-report-found.json"));
  auto client = NewClient();
  auto queued = client->GetAnalysis(scan_id);
  ASSERT_FALSE(queued);
  EXPECT_EQ(queued.error().code, ErrorCode::kQueued);
  auto done = client->GetAnalysis(scan_id);
  ASSERT_TRUE(done) << done.error().ToString();
  EXPECT_EQ(done->status, domain::AnalysisStatus::kCompleted);
  EXPECT_EQ(done->id, scan_id);
  EXPECT_EQ(done->date, 1418032127);
  EXPECT_EQ(done->md5, kMd5);
  EXPECT_EQ(done->engines.size(), 55u);
  EXPECT_EQ(FormValue(transport_->last(), "resource"), scan_id);
}

TEST_F(V2ClientTest, PollsAndLookupsShareOneRequestInOrder) {
  const std::string scan_id = std::string(kSha256) + "-1418032127";
  const std::string other_scan = std::string(64, 'c') + "-1418032127";
  const std::string found = Fixture("v2-file-report-found.json");
  const std::string queued =
      R"({"response_code": -2, "resource": ")" + other_scan + R"(", "scan_id": "x"})";
  // VirusTotal echoes the resource as asked: the scan_id for the poll.
  const std::string echo = std::string(R"("resource": ")") + kSha256;
  std::string found_for_scan = found;
  ASSERT_NE(found_for_scan.find(echo), std::string::npos);
  found_for_scan.replace(found_for_scan.find(echo), echo.size(), R"("resource": ")" + scan_id);
  transport_->Reply(200, "[" + found_for_scan + "," + queued + "," + found + "]");
  const std::vector<std::string> ids = {scan_id, other_scan};
  const std::vector<domain::Hash> hashes = {H(kSha256)};
  auto answer = NewClient()->PollAndLookup(ids, hashes);
  ASSERT_TRUE(answer) << answer.error().ToString();
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_EQ(FormValue(transport_->last(), "resource"), scan_id + "," + other_scan + "," + kSha256);
  ASSERT_EQ(answer->polls.size(), 2u);
  ASSERT_TRUE(answer->polls[0]) << answer->polls[0].error().ToString();
  EXPECT_EQ(answer->polls[0]->status, domain::AnalysisStatus::kCompleted);
  EXPECT_EQ(answer->polls[0]->md5, kMd5);
  EXPECT_EQ(answer->polls[0]->engines.size(), 55u);
  EXPECT_EQ(answer->polls[1].error().code, ErrorCode::kQueued);
  ASSERT_EQ(answer->lookups.size(), 1u);
  ASSERT_TRUE(answer->lookups[0]);
  EXPECT_EQ(answer->lookups[0]->sha256, kSha256);
}

TEST_F(V2ClientTest, HostileBatchedPollAnswersAreErrors) {
  const std::string scan_id = std::string(kSha256) + "-1418032127";
  const std::string other_scan = std::string(64, 'c') + "-1418032127";
  const std::vector<std::string> ids = {scan_id, other_scan};
  const std::vector<domain::Hash> hashes = {H(kOtherMd5)};
  auto client = NewClient();
  const std::string queued_other =
      R"({"response_code": -2, "resource": ")" + other_scan + R"(", "scan_id": "x"})";
  const std::string queued_stranger =
      R"({"response_code": -2, "resource": "ffffffffffffffffffffffffffffffff"})";
  const std::string missing_other =
      R"({"response_code": 0, "resource": ")" + std::string(kOtherMd5) + R"("})";
  // Fewer entries than resources: the whole request fails.
  transport_->Reply(200, "[" + queued_other + "," + missing_other + "]");
  auto short_reply = client->PollAndLookup(ids, hashes);
  ASSERT_FALSE(short_reply);
  EXPECT_EQ(short_reply.error().code, ErrorCode::kTransient);
  EXPECT_NE(short_reply.error().message.find("2 items for 3"), std::string::npos)
      << short_reply.error().message;
  // Not JSON: the whole request fails.
  transport_->Reply(200, "<html>busy</html>");
  auto html = client->PollAndLookup(ids, hashes);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error().code, ErrorCode::kTransient);
  // An entry for a resource nobody asked for, and a report of another file: those items
  // fail, the others stand.
  transport_->Reply(200, "[" + queued_stranger + "," + queued_other + "," + missing_other + "]");
  auto stranger = client->PollAndLookup(ids, hashes);
  ASSERT_TRUE(stranger) << stranger.error().ToString();
  EXPECT_EQ(stranger->polls[0].error().code, ErrorCode::kTransient);
  EXPECT_NE(stranger->polls[0].error().message.find("ffffffff"), std::string::npos);
  EXPECT_EQ(stranger->polls[1].error().code, ErrorCode::kQueued);
  EXPECT_EQ(stranger->lookups[0].error().code, ErrorCode::kNotFound);
  transport_->Reply(200, "[" + Fixture("v2-file-report-found.json") + "," + queued_other + "," +
                             missing_other + "]");
  const std::vector<std::string> wrong = {std::string(64, 'd') + "-1", other_scan};
  auto misfiled = client->PollAndLookup(wrong, hashes);
  ASSERT_TRUE(misfiled);
  EXPECT_EQ(misfiled->polls[0].error().code, ErrorCode::kTransient);
  // Too many resources, or a resource that would break the list: no request at all.
  const std::size_t sent = transport_->requests().size();
  const std::vector<std::string> four(4, scan_id);
  EXPECT_EQ(client->PollAndLookup(four, hashes).error().code, ErrorCode::kInvalidArgument);
  const std::vector<std::string> comma = {"a,b"};
  EXPECT_EQ(client->PollAndLookup(comma, hashes).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(transport_->requests().size(), sent);
}

TEST_F(V2ClientTest, UploadUsesFileScan) {
  const auto file = dir_ / kMd5;
  WriteFile(file, "\n");
  transport_->Reply(200, Fixture("v2-file-scan.json"));
  auto ref = NewClient()->UploadFile(UploadOf(file));
  ASSERT_TRUE(ref) << ref.error().ToString();
  EXPECT_EQ(ref->id, std::string(kSha256) + "-1419455691");
  EXPECT_EQ(ref->sha256, kSha256);
  EXPECT_EQ(ref->permalink,
            std::string("https://www.virustotal.com/file/") + kSha256 + "/analysis/1419455691/");
  const HttpRequest& req = transport_->last();
  EXPECT_EQ(req.url, "http://127.0.0.1:9/vtapi/v2/file/scan");
  EXPECT_TRUE(req.multipart);
  EXPECT_EQ(FormValue(req, "apikey"), kKey);
  EXPECT_EQ(FormValue(req, "file"), "<file part>");
  EXPECT_EQ(BodyText(*req.form.back().source), "\n");
}

TEST_F(V2ClientTest, UploadOverV2LimitIsRefusedLocally) {
  auto r = NewClient()->UploadFile({ZeroBody(kV2MaxUploadBytes + 1), "big"});  // > 32 MB
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(V2ClientTest, RescanAndComment) {
  transport_->Reply(200, Fixture("v2-file-rescan.json"));
  transport_->Reply(
      200, R"({"response_code": 1, "verbose_msg": "Your comment was successfully posted"})");
  transport_->Reply(200, R"({"response_code": 0, "verbose_msg": "Invalid resource"})");
  auto client = NewClient();
  auto ref = client->Reanalyse(H(kSha256));
  ASSERT_TRUE(ref) << ref.error().ToString();
  EXPECT_EQ(ref->id, std::string(kSha256) + "-1562684247");
  EXPECT_EQ(transport_->last().url, "http://127.0.0.1:9/vtapi/v2/file/rescan");
  EXPECT_EQ(FormValue(transport_->last(), "resource"), kSha256);
  auto ack = client->AddComment(H(kMd5), "#honeypot");
  ASSERT_TRUE(ack) << ack.error().ToString();
  EXPECT_EQ(transport_->last().url, "http://127.0.0.1:9/vtapi/v2/comments/put");
  EXPECT_EQ(FormValue(transport_->last(), "comment"), "#honeypot");
  EXPECT_EQ(FormValue(transport_->last(), "resource"), kMd5);
  EXPECT_EQ(client->AddComment(H(kMd5), "x").error().code, ErrorCode::kNotFound);
}

TEST(MakeClientTest, ValidatesOptions) {
  Options o;
  o.api_key = Secret("k");
  o.api_version = 1;
  EXPECT_EQ(MakeClient(o).error().code, ErrorCode::kInvalidArgument);
  o.api_version = 3;
  o.base_url = "http://example.com/api/v3/";  // key in clear over the network
  EXPECT_EQ(MakeClient(o).error().code, ErrorCode::kInvalidArgument);
  o.base_url = "http://127.0.0.1:8080/api/v3/";
  ASSERT_TRUE(MakeClient(o));
  o.base_url.clear();
  auto v3 = MakeClient(o);
  ASSERT_TRUE(v3);
  EXPECT_EQ((*v3)->api_version(), 3);
  o.api_version = 2;
  auto v2 = MakeClient(o);
  ASSERT_TRUE(v2);
  EXPECT_EQ((*v2)->api_version(), 2);
  o.api_key = Secret();
  EXPECT_EQ(MakeClient(o).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace honeyvt::vt
