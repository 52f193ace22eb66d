// MakeClient(options) end to end: the real libcurl transport against a loopback server
// that answers like VirusTotal (recorded bodies), for API v3 and v2.

#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "core/testing.h"
#include "vt/factory.h"
#include "vt/fake_transport.h"

namespace honeyvt::vt {
namespace {

using namespace std::chrono_literals;
using testing::FixturesDir;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

constexpr char kKey[] = "loopback-test-key";
constexpr char kSha256[] = "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b";

std::string Fixture(const std::string& name) {
  return ReadFile(FixturesDir() / "vt-fixtures" / name);
}

class ClientLoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto json = [](httplib::Response& res, const std::string& body, int status = 200) {
      res.status = status;
      res.set_content(body, "application/json");
    };
    // v3: every call checks the key header first, like VirusTotal.
    auto v3 = [json](auto handler) {
      return [json, handler](const httplib::Request& req, httplib::Response& res) {
        if (req.get_header_value("x-apikey") != kKey) {
          return json(res, Fixture("v3-error-401-wrong-credentials.json"), 401);
        }
        handler(req, res);
      };
    };
    s_.Get("/api/v3/files/upload_url", v3([this, json](const auto&, auto& res) {
             json(res, R"({"data": ")" + Url("/_ah/upload/once/") + R"("})");
           }));
    s_.Get(R"(/api/v3/files/([0-9a-f]+))", v3([json](const auto& req, auto& res) {
             if (req.matches[1] == kSha256) return json(res, Fixture("v3-file-object.json"));
             json(res, Fixture("v3-error-404-not-found.json"), 404);
           }));
    s_.Post("/api/v3/files", v3([this, json](const auto& req, auto& res) {
              std::lock_guard lock(mu_);
              uploaded_ = req.get_file_value("file").content;
              json(res, Fixture("v3-files-upload-response-2020.json"));
            }));
    s_.Post("/_ah/upload/once/", v3([this, json](const auto& req, auto& res) {
              std::lock_guard lock(mu_);
              uploaded_ = req.get_file_value("file").content;
              json(res, Fixture("v3-files-upload-response-2020.json"));
            }));
    s_.Get(R"(/api/v3/analyses/(.+))", v3([json](const auto&, auto& res) {
             json(res, Fixture("v3-analysis-file-completed.json"));
           }));
    s_.Post(R"(/api/v3/files/([0-9a-f]+)/comments)", v3([this, json](const auto& req, auto& res) {
              std::lock_guard lock(mu_);
              comment_body_ = req.body;
              json(res, std::string(R"({"data": {"type": "comment", "id": "f-)") + kSha256 +
                            R"(-00c0ffee"}})");
            }));
    s_.Post("/api/v3/files/" + std::string(kSha256) + "/analyse",
            v3([json](const auto&, auto& res) {
              json(res, Fixture("v3-files-analyse-response-2023.json"));
            }));
    s_.Post("/api/v3/files/" + std::string(64, 'e') + "/analyse",
            v3([json](const auto&, auto& res) {
              res.set_header("Retry-After", "42");
              json(res, Fixture("v3-error-429-quota-exceeded.json"), 429);
            }));
    // v2: key as a form field; 403 with an empty body when it is wrong.
    auto v2 = [](auto handler) {
      return [handler](const httplib::Request& req, httplib::Response& res) {
        const std::string key = req.has_param("apikey")  ? req.get_param_value("apikey")
                                : req.has_file("apikey") ? req.get_file_value("apikey").content
                                                         : "";
        if (key != kKey) {
          res.status = 403;
          return;
        }
        handler(req, res);
      };
    };
    s_.Post("/vtapi/v2/file/report", v2([this, json](const auto& req, auto& res) {
              std::lock_guard lock(mu_);
              v2_resource_ = req.get_param_value("resource");
              json(res, "[" + Fixture("v2-file-report-found.json") + "," +
                            Fixture("v2-file-report-not-found.json") + "]");
            }));
    s_.Post("/vtapi/v2/file/scan", v2([this, json](const auto& req, auto& res) {
              std::lock_guard lock(mu_);
              uploaded_ = req.get_file_value("file").content;
              json(res, Fixture("v2-file-scan.json"));
            }));
    s_.Post("/vtapi/v2/comments/put", v2([json](const auto&, auto& res) {
              json(
                  res,
                  R"({"response_code": 1, "verbose_msg": "Your comment was successfully posted"})");
            }));
    s_.Post("/vtapi/v2/file/rescan", [](const auto&, auto& res) { res.status = 204; });
    port_ = s_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { s_.listen_after_bind(); });
    while (!s_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    s_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::unique_ptr<Client> NewClient(int version, const std::string& key = kKey) {
    Options o;
    o.api_version = version;
    o.base_url = Url(version == 3 ? "/api/v3" : "/vtapi/v2/");
    o.api_key = Secret(key);
    auto client = MakeClient(o);
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }

  httplib::Server s_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::string uploaded_, comment_body_, v2_resource_;
  TempDir dir_;
};

TEST_F(ClientLoopbackTest, V3OverCurl) {
  auto client = NewClient(3);
  auto report = client->GetFileReport(*domain::Hash::Parse(kSha256));
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->Positives(), 53);
  auto missing = client->GetFileReport(*domain::Hash::Parse(std::string(64, 'f')));
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  const auto file = dir_ / "sample";
  WriteFile(file, "MZ honeypot sample");
  auto ref = client->UploadFile(UploadOf(file));
  ASSERT_TRUE(ref) << ref.error().ToString();
  EXPECT_EQ(ref->id, "NjhiMzI5ZGE5ODkzZTM0MDk5YzdkOGFkNWNiOWM5NDA6MTU5OTA1NTM1Ng==");
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(uploaded_, "MZ honeypot sample");
  }
  auto analysis = client->GetAnalysis(ref->id);
  ASSERT_TRUE(analysis) << analysis.error().ToString();
  EXPECT_EQ(analysis->status, domain::AnalysisStatus::kCompleted);
  EXPECT_EQ(analysis->engines.size(), 77u);

  auto ack = client->AddComment(*domain::Hash::Parse(kSha256), "#honeypot");
  ASSERT_TRUE(ack) << ack.error().ToString();
  EXPECT_EQ(ack->id, std::string("f-") + kSha256 + "-00c0ffee");
  {
    std::lock_guard lock(mu_);
    EXPECT_NE(comment_body_.find("#honeypot"), std::string::npos);
  }
  auto rescan = client->Reanalyse(*domain::Hash::Parse(kSha256));
  ASSERT_TRUE(rescan) << rescan.error().ToString();
}

TEST_F(ClientLoopbackTest, V3LargeUploadGoesThroughUploadUrl) {
  const auto file = dir_ / "large";
  std::string content(kDirectUploadBytes + 100, 'L');
  content[12345] = 'x';
  WriteFile(file, content);
  auto ref = NewClient(3)->UploadFile(UploadOf(file));
  ASSERT_TRUE(ref) << ref.error().ToString();
  std::lock_guard lock(mu_);
  EXPECT_TRUE(uploaded_ == content);
}

TEST_F(ClientLoopbackTest, V3WrongKeyIsAuthFailedAndRedacted) {
  auto r = NewClient(3, "testapikey")->GetFileReport(*domain::Hash::Parse(kSha256));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
  // The recorded 401 body echoes "testapikey"; the error must not.
  EXPECT_EQ(r.error().message.find("testapikey"), std::string::npos) << r.error().message;
}

TEST_F(ClientLoopbackTest, V2OverCurl) {
  auto client = NewClient(2);
  std::vector<domain::Hash> hashes = {*domain::Hash::Parse(kSha256),
                                      *domain::Hash::Parse(std::string(64, 'e'))};
  auto reports = client->GetFileReports(hashes);
  ASSERT_TRUE(reports) << reports.error().ToString();
  ASSERT_EQ(reports->size(), 2u);
  ASSERT_TRUE((*reports)[0]) << (*reports)[0].error().ToString();
  EXPECT_EQ((*reports)[0]->engines.size(), 55u);
  EXPECT_EQ((*reports)[1].error().code, ErrorCode::kNotFound);
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(v2_resource_, std::string(kSha256) + "," + std::string(64, 'e'));
  }
  const auto file = dir_ / "sample";
  WriteFile(file, "\n");
  auto ref = client->UploadFile(UploadOf(file));
  ASSERT_TRUE(ref) << ref.error().ToString();
  EXPECT_EQ(ref->sha256, kSha256);
  ASSERT_TRUE(client->AddComment(hashes[0], "#honeypot"));
  auto quota = client->Reanalyse(hashes[0]);
  EXPECT_EQ(quota.error().code, ErrorCode::kQuotaExceeded);
}

TEST_F(ClientLoopbackTest, V2WrongKeyIsAuthFailed) {
  auto r = NewClient(2, "wrong")->GetFileReport(*domain::Hash::Parse(kSha256));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kAuthFailed);
}

TEST_F(ClientLoopbackTest, QuotaWithRetryAfterOverCurl) {
  auto r = NewClient(3)->Reanalyse(*domain::Hash::Parse(std::string(64, 'e')));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kQuotaExceeded);
  EXPECT_EQ(r.error().retry_after, std::chrono::seconds(42));
}

}  // namespace
}  // namespace honeyvt::vt
