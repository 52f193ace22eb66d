// The v3 client against a scripted transport: requests it builds, every row of the error
// mapping table in vt/client.h, uploads, and that the key never shows in an error.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/api_limits.h"
#include "core/testing.h"
#include "vt/factory.h"
#include "vt/fake_transport.h"
#include "vt/json_doc.h"

namespace honeyvt::vt {
namespace {

using testing::FixturesDir;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

constexpr char kKey[] = "testapikey";
constexpr char kSha256[] = "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b";

std::string Fixture(const std::string& name) {
  return ReadFile(FixturesDir() / "vt-fixtures" / name);
}

class V3ClientTest : public ::testing::Test {
 protected:
  V3ClientTest() {
    options_.api_version = 3;
    options_.base_url = "http://127.0.0.1:9/api/v3";
    options_.api_key = Secret(kKey);
  }
  std::unique_ptr<Client> NewClient() { return MakeClient(options_, transport_); }
  domain::Hash Sha256() { return *domain::Hash::Parse(kSha256); }

  Options options_;
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  TempDir dir_;
};

TEST_F(V3ClientTest, GetFileReportSendsKeyOnlyInHeader) {
  transport_->Reply(200, Fixture("v3-file-object.json"));
  auto client = NewClient();
  EXPECT_EQ(client->api_version(), 3);
  EXPECT_EQ(client->MaxBatch(), 1);
  auto r = client->GetFileReport(Sha256());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->engines.size(), 75u);
  const HttpRequest& req = transport_->last();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.url, std::string("http://127.0.0.1:9/api/v3/files/") + kSha256);
  EXPECT_EQ(HeaderValue(req, "x-apikey"), kKey);
  EXPECT_EQ(req.url.find(kKey), std::string::npos);
  EXPECT_TRUE(req.form.empty());
}

TEST_F(V3ClientTest, DefaultBaseUrlIsVirusTotal) {
  options_.base_url.clear();
  transport_->Reply(200, Fixture("v3-file-object.json"));
  ASSERT_TRUE(NewClient()->GetFileReport(Sha256()));
  EXPECT_EQ(transport_->last().url,
            std::string("https://www.virustotal.com/api/v3/files/") + kSha256);
}

struct MappingCase {
  const char* name;
  int status;
  std::string body;
  std::map<std::string, std::string> headers;
  ErrorCode expected;
  std::optional<std::chrono::seconds> retry_after = std::nullopt;
};

TEST_F(V3ClientTest, EveryErrorPathOfTheMappingTable) {
  const std::vector<MappingCase> cases = {
      {"404 fixture", 404, Fixture("v3-error-404-not-found.json"), {}, ErrorCode::kNotFound},
      {"404 2023", 404, Fixture("v3-error-404-not-found-2023.json"), {}, ErrorCode::kNotFound},
      {"404 no body", 404, "", {}, ErrorCode::kNotFound},
      {"401 echoes key",
       401,
       Fixture("v3-error-401-wrong-credentials.json"),
       {},
       ErrorCode::kAuthFailed},
      {"401 2023",
       401,
       Fixture("v3-error-401-wrong-api-key-2023.json"),
       {},
       ErrorCode::kAuthFailed},
      {"401 missing",
       401,
       R"({"error": {"code": "AuthenticationRequiredError", "message": "X-Apikey header is missing"}})",
       {},
       ErrorCode::kAuthFailed},
      {"403",
       403,
       R"({"error": {"code": "ForbiddenError", "message": "no"}})",
       {},
       ErrorCode::kForbidden},
      {"429 quota",
       429,
       Fixture("v3-error-429-quota-exceeded.json"),
       {{"retry-after", "60"}},
       ErrorCode::kQuotaExceeded,
       std::chrono::seconds(60)},
      {"429 throttle",
       429,
       R"({"error": {"code": "TooManyRequestsError", "message": "slow"}})",
       {},
       ErrorCode::kRateLimited},
      {"429 bare",
       429,
       "",
       {{"retry-after", "5"}},
       ErrorCode::kRateLimited,
       std::chrono::seconds(5)},
      {"400 bad",
       400,
       R"({"error": {"code": "BadRequestError", "message": "x"}})",
       {},
       ErrorCode::kBadRequest},
      {"400 arg",
       400,
       R"({"error": {"code": "InvalidArgumentError", "message": "x"}})",
       {},
       ErrorCode::kBadRequest},
      {"400 not yet",
       400,
       R"({"error": {"code": "NotAvailableYet", "message": "x"}})",
       {},
       ErrorCode::kTransient},
      {"413", 413, "<html>too big</html>", {}, ErrorCode::kTooLarge},
      {"500 html", 500, "<html>oops</html>", {}, ErrorCode::kTransient},
      {"502", 502, "", {}, ErrorCode::kTransient},
      {"503",
       503,
       R"({"error": {"code": "TransientError", "message": "try again"}})",
       {{"retry-after", "Fri, 27 Nov 2026 10:00:30 GMT"},
        {"date", "Fri, 27 Nov 2026 10:00:00 GMT"}},
       ErrorCode::kTransient,
       std::chrono::seconds(30)},
      {"504",
       504,
       R"({"error": {"code": "DeadlineExceededError", "message": "slow"}})",
       {},
       ErrorCode::kTransient},
      {"200 not json", 200, "<html>maintenance</html>", {}, ErrorCode::kTransient},
      {"200 truncated",
       200,
       Fixture("v3-file-object.json").substr(0, 500),
       {},
       ErrorCode::kTransient},
      {"200 wrong shape",
       200,
       Fixture("v3-files-upload-response-2020.json"),
       {},
       ErrorCode::kTransient},
  };
  auto client = NewClient();
  for (const MappingCase& c : cases) {
    transport_->Reply(c.status, c.body, c.headers);
    auto r = client->GetFileReport(Sha256());
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code, c.expected) << c.name << ": " << r.error().ToString();
    EXPECT_EQ(r.error().retry_after, c.retry_after) << c.name;
    EXPECT_EQ(r.error().message.find(kKey), std::string::npos)
        << c.name << ": " << r.error().message;
  }
}

TEST_F(V3ClientTest, TransportErrorsPassThroughRedacted) {
  transport_->Fail(ErrorCode::kTransient, std::string("timeout while sending ") + kKey);
  auto r = NewClient()->GetFileReport(Sha256());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransient);
  EXPECT_EQ(r.error().message.find(kKey), std::string::npos);
  EXPECT_NE(r.error().message.find("timeout"), std::string::npos);
}

TEST_F(V3ClientTest, WrongCredentialsMessageNeverShowsTheKey) {
  transport_->Reply(401, Fixture("v3-error-401-wrong-credentials.json"));
  auto r = NewClient()->GetFileReport(Sha256());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("testapikey"), std::string::npos);
  EXPECT_NE(r.error().message.find("Wrong API key: <redacted>"), std::string::npos)
      << r.error().message;
}

// Redaction used to run over whole reply bodies: with the key "K" every engine named
// "Kaspersky" came out as "<redacted>aspersky". Only messages are redacted now.
TEST_F(V3ClientTest, OneCharacterKeyRedactsMessagesNotReportData) {
  options_.api_key = Secret("K");
  transport_->Reply(200, Fixture("v3-file-object.json"));
  transport_->Reply(200, Fixture("v3-analysis-file-completed.json"));
  transport_->Reply(401, R"({"error": {"code": "WrongCredentialsError",
                                       "message": "Wrong API key: K"}})");
  transport_->Reply(200, "K is not JSON");
  auto client = NewClient();
  auto report = client->GetFileReport(Sha256());
  ASSERT_TRUE(report) << report.error().ToString();
  auto analysis = client->GetAnalysis("an-analysis-id");
  ASSERT_TRUE(analysis) << analysis.error().ToString();
  for (const auto* engines : {&report->engines, &analysis->engines}) {
    bool kaspersky = false;
    for (const domain::EngineResult& e : *engines) {
      EXPECT_EQ(e.engine.find("<redacted>"), std::string::npos) << e.engine;
      EXPECT_EQ(e.engine_name.find("<redacted>"), std::string::npos) << e.engine_name;
      EXPECT_EQ(e.result.value_or("").find("<redacted>"), std::string::npos);
      kaspersky = kaspersky || (e.engine == "Kaspersky" && e.engine_name == "Kaspersky");
    }
    EXPECT_TRUE(kaspersky);
  }
  auto echoed = client->GetFileReport(Sha256());
  ASSERT_FALSE(echoed);
  EXPECT_EQ(echoed.error().code, ErrorCode::kAuthFailed);
  EXPECT_EQ(echoed.error().message.find('K'), std::string::npos) << echoed.error().message;
  EXPECT_NE(echoed.error().message.find("Wrong API key: <redacted>"), std::string::npos);
  auto garbled = client->GetFileReport(Sha256());
  ASSERT_FALSE(garbled);
  EXPECT_EQ(garbled.error().message.find('K'), std::string::npos) << garbled.error().message;
}

TEST_F(V3ClientTest, BatchLookupIsOneHash) {
  auto client = NewClient();
  auto empty = client->GetFileReports({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  std::vector<domain::Hash> two = {Sha256(), Sha256()};
  auto too_many = client->GetFileReports(two);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(transport_->requests().empty());

  transport_->Reply(404, Fixture("v3-error-404-not-found.json"));
  auto one = client->GetFileReports(std::span(two.data(), 1));
  ASSERT_TRUE(one);  // not found is per hash
  EXPECT_EQ((*one)[0].error().code, ErrorCode::kNotFound);
  transport_->Reply(429, Fixture("v3-error-429-quota-exceeded.json"));
  auto quota = client->GetFileReports(std::span(two.data(), 1));
  ASSERT_FALSE(quota);  // quota fails the whole request
  EXPECT_EQ(quota.error().code, ErrorCode::kQuotaExceeded);
}

TEST_F(V3ClientTest, SmallUploadPostsMultipartFile) {
  const auto file = dir_ / "68b329da9893e34099c7d8ad5cb9c940";
  WriteFile(file, "\n");
  transport_->Reply(200, Fixture("v3-files-upload-response-2020.json"));
  const Upload upload = UploadOf(file);
  auto ref = NewClient()->UploadFile(upload);
  ASSERT_TRUE(ref) << ref.error().ToString();
  EXPECT_EQ(ref->id, "NjhiMzI5ZGE5ODkzZTM0MDk5YzdkOGFkNWNiOWM5NDA6MTU5OTA1NTM1Ng==");
  ASSERT_EQ(transport_->requests().size(), 1u);
  const HttpRequest& req = transport_->last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "http://127.0.0.1:9/api/v3/files");
  EXPECT_EQ(HeaderValue(req, "x-apikey"), kKey);
  ASSERT_EQ(req.form.size(), 1u);
  EXPECT_EQ(req.form[0].name, "file");
  EXPECT_EQ(req.form[0].source, upload.body);  // the checked open file, never a path
  EXPECT_EQ(req.form[0].filename, "68b329da9893e34099c7d8ad5cb9c940");
}

TEST_F(V3ClientTest, LargeUploadFetchesUploadUrlFirst) {
  const Upload upload{ZeroBody(kDirectUploadBytes + 1), "big.bin"};
  transport_->Reply(200, R"({"data": "http://127.0.0.1:9/_ah/upload/one-time/"})");
  transport_->Reply(200, Fixture("v3-files-upload-response-2020.json"));
  auto ref = NewClient()->UploadFile(upload);
  ASSERT_TRUE(ref) << ref.error().ToString();
  ASSERT_EQ(transport_->requests().size(), 2u);
  EXPECT_EQ(transport_->requests()[0].method, "GET");
  EXPECT_EQ(transport_->requests()[0].url, "http://127.0.0.1:9/api/v3/files/upload_url");
  EXPECT_EQ(transport_->requests()[1].method, "POST");
  EXPECT_EQ(transport_->requests()[1].url, "http://127.0.0.1:9/_ah/upload/one-time/");
  EXPECT_EQ(HeaderValue(transport_->requests()[1], "x-apikey"), kKey);
  EXPECT_EQ(FormValue(transport_->requests()[1], "file"), "<file part>");
  // The upload may take longer than a lookup: 300 s + 1 s per 64 KiB.
  EXPECT_EQ(transport_->requests()[0].timeout.count(), 0);
  EXPECT_EQ(transport_->requests()[1].timeout, std::chrono::milliseconds(300'000 + 480'000));
}

TEST_F(V3ClientTest, UploadUrlFailureStopsBeforeThePost) {
  transport_->Reply(429, Fixture("v3-error-429-quota-exceeded.json"));
  auto ref = NewClient()->UploadFile({ZeroBody(kDirectUploadBytes + 1), "big.bin"});
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().code, ErrorCode::kQuotaExceeded);
  EXPECT_EQ(transport_->requests().size(), 1u);
}

TEST_F(V3ClientTest, UploadRefusedLocallyWithoutARequest) {
  auto client = NewClient();
  auto no_body = client->UploadFile({nullptr, "x"});
  ASSERT_FALSE(no_body);
  EXPECT_EQ(no_body.error().code, ErrorCode::kInvalidArgument);
  auto too_large = client->UploadFile({ZeroBody(kMaxUploadBytes + 1), "huge.bin"});
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(V3ClientTest, MaxUploadSizeOptionApplies) {
  options_.max_upload_size = 100;
  const auto file = dir_ / "f";
  WriteFile(file, std::string(101, 'x'));
  auto r = NewClient()->UploadFile(UploadOf(file));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(V3ClientTest, GetAnalysisEncodesTheId) {
  transport_->Reply(200, Fixture("v3-analysis-file-completed.json"));
  auto a = NewClient()->GetAnalysis("ab/c+d==");
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(a->engines.size(), 77u);
  EXPECT_EQ(transport_->last().url, "http://127.0.0.1:9/api/v3/analyses/ab%2Fc%2Bd==");
  auto bad = NewClient()->GetAnalysis("a b\r\nx");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(transport_->requests().size(), 1u);
}

TEST_F(V3ClientTest, HasNoBatchedPolls) {
  const std::vector<std::string> ids = {"ab/c+d=="};
  auto answer = NewClient()->PollAndLookup(ids, {});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(V3ClientTest, Reanalyse) {
  transport_->Reply(200, Fixture("v3-files-analyse-response-2023.json"));
  auto ref = NewClient()->Reanalyse(Sha256());
  ASSERT_TRUE(ref) << ref.error().ToString();
  EXPECT_EQ(ref->id, "ZWY0Y2M1NWMzOTkwY2E2MmJmMDUyM2NlMTA1ZGU3NTA6MTcwMjIzNTY5MA==");
  EXPECT_EQ(transport_->last().method, "POST");
  EXPECT_EQ(transport_->last().url,
            std::string("http://127.0.0.1:9/api/v3/files/") + kSha256 + "/analyse");
  transport_->Reply(429, Fixture("v3-error-429-quota-exceeded.json"));
  EXPECT_EQ(NewClient()->Reanalyse(Sha256()).error().code, ErrorCode::kQuotaExceeded);
}

TEST_F(V3ClientTest, AddCommentPostsJson) {
  transport_->Reply(200, std::string(R"({"data": {"type": "comment", "id": "f-)") + kSha256 +
                             R"(-0badc0de", "attributes": {"text": "t"}}})");
  const std::string text = "captured by \"dionaea\"\n#honeypot #malware";
  auto ack = NewClient()->AddComment(Sha256(), text);
  ASSERT_TRUE(ack) << ack.error().ToString();
  EXPECT_EQ(ack->id, std::string("f-") + kSha256 + "-0badc0de");
  const HttpRequest& req = transport_->last();
  EXPECT_EQ(req.url, std::string("http://127.0.0.1:9/api/v3/files/") + kSha256 + "/comments");
  EXPECT_EQ(HeaderValue(req, "content-type"), "application/json");
  auto sent = Json::parse(req.body);
  EXPECT_EQ(sent["data"]["type"], "comment");
  EXPECT_EQ(sent["data"]["attributes"]["text"], text);
}

TEST_F(V3ClientTest, CommentErrors) {
  auto client = NewClient();
  transport_->Reply(404, Fixture("v3-error-404-not-found.json"));
  EXPECT_EQ(client->AddComment(Sha256(), "x").error().code, ErrorCode::kNotFound);
  transport_->Reply(409, R"({"error": {"code": "AlreadyExistsError", "message": "dup"}})");
  EXPECT_TRUE(client->AddComment(Sha256(), "x"));  // already there counts as done
}

}  // namespace
}  // namespace honeyvt::vt
