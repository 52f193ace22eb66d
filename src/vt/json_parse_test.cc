// Every recorded VirusTotal body in tests/fixtures/vt-fixtures parses to the facts it holds;
// hostile bodies give typed errors.

#include "vt/json_parse.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/testing.h"

namespace honeyvt::vt {
namespace {

using testing::FixturesDir;
using testing::ReadFile;

std::string Fixture(const std::string& name) {
  return ReadFile(FixturesDir() / "vt-fixtures" / name);
}

const domain::EngineResult* FindEngine(const std::vector<domain::EngineResult>& engines,
                                       const std::string& key) {
  auto it =
      std::find_if(engines.begin(), engines.end(), [&](const auto& e) { return e.engine == key; });
  return it == engines.end() ? nullptr : &*it;
}

int CountCategory(const std::vector<domain::EngineResult>& engines, const std::string& cat) {
  return static_cast<int>(std::count_if(engines.begin(), engines.end(),
                                        [&](const auto& e) { return e.category == cat; }));
}

TEST(JsonParseTest, V3FileObject) {
  const std::string body = Fixture("v3-file-object.json");
  auto r = ParseV3FileReport(body);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->md5, "b214da9f6b0d6e6de5090b3f9672defe");
  EXPECT_EQ(r->sha1, "b7162dfcbcac2724c71c03385abe577e1ab0cd8d");
  EXPECT_EQ(r->sha256, "001015aafcae8a6942366cbb0e7d39c0738752a7800c41ea1c655d47b0a4d04c");
  EXPECT_EQ(r->size, 64000);
  EXPECT_EQ(r->type_description, "MS Word Document");
  ASSERT_EQ(r->names.size(), 11u);
  EXPECT_EQ(r->names.front(), "cDCUTY.tmp");
  EXPECT_EQ(r->names.back(), "test.txt");
  EXPECT_EQ(r->first_submission_date, 1193371918);
  EXPECT_EQ(r->last_analysis_date, 1586546645);
  EXPECT_EQ(r->suggested_threat_label, "virus.hill/w97m");
  EXPECT_EQ(r->permalink,
            "https://www.virustotal.com/gui/file/"
            "001015aafcae8a6942366cbb0e7d39c0738752a7800c41ea1c655d47b0a4d04c");
  EXPECT_TRUE(r->scan_id.empty());
  EXPECT_EQ(r->raw_json, body);
  ASSERT_EQ(r->engines.size(), 75u);
  EXPECT_EQ(CountCategory(r->engines, "malicious"), 53);
  EXPECT_EQ(CountCategory(r->engines, "undetected"), 9);
  EXPECT_EQ(CountCategory(r->engines, "type-unsupported"), 13);
  EXPECT_EQ(r->Positives(), 53);
  EXPECT_EQ(r->Total(), 62);
  // Server order is kept.
  EXPECT_EQ(r->engines.front().engine, "Bkav");
  EXPECT_EQ(r->engines[1].engine, "Lionic");
  EXPECT_EQ(r->engines.back().engine, "Qihoo-360");
  const auto* lionic = FindEngine(r->engines, "Lionic");
  ASSERT_NE(lionic, nullptr);
  EXPECT_EQ(lionic->engine_name, "AegisLab");
  EXPECT_EQ(lionic->version, "4.2");
  EXPECT_EQ(lionic->update, "20200409");
  EXPECT_EQ(lionic->result, "Virus.MSWord.Hill.n!c");
  const auto* bkav = FindEngine(r->engines, "Bkav");
  ASSERT_NE(bkav, nullptr);
  EXPECT_EQ(bkav->category, "undetected");
  EXPECT_FALSE(bkav->result.has_value());
  const auto* egambit = FindEngine(r->engines, "eGambit");  // engine_version null
  ASSERT_NE(egambit, nullptr);
  EXPECT_EQ(egambit->version, "");
}

TEST(JsonParseTest, V3AnalysisCompleted) {
  auto a = ParseV3Analysis(Fixture("v3-analysis-file-completed.json"));
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(a->id, "NTljZjYwNWY3ZDYyMmRkZDBkNGM3Y2M1Y2JjODhiODU6MTcxNTEzNzQ1MA==");
  EXPECT_EQ(a->status, domain::AnalysisStatus::kCompleted);
  EXPECT_EQ(a->date, 1715137450);
  EXPECT_EQ(a->md5, "59cf605f7d622ddd0d4c7cc5cbc88b85");
  EXPECT_EQ(a->sha1, "268b478a7690af9e83dcab7392346ebc0bb786da");
  EXPECT_EQ(a->sha256, "300f80d34ec1047fc63e50a773430d03de1da96a50169f52f34f8f575904504d");
  ASSERT_EQ(a->engines.size(), 77u);
  EXPECT_EQ(CountCategory(a->engines, "malicious"), 43);
  EXPECT_EQ(CountCategory(a->engines, "undetected"), 21);
  EXPECT_EQ(CountCategory(a->engines, "type-unsupported"), 13);
  EXPECT_EQ(a->engines.front().engine, "Bkav");
  EXPECT_EQ(a->engines.back().engine, "Trustlook");
  const auto* kaspersky = FindEngine(a->engines, "Kaspersky");
  ASSERT_NE(kaspersky, nullptr);
  EXPECT_EQ(kaspersky->result, "Email-Worm.VBS.LoveLetter");
  EXPECT_EQ(kaspersky->version, "22.0.1.28");
}

TEST(JsonParseTest, V3AnalysisStatesQueuedAndInProgress) {
  auto queued = ParseV3Analysis(
      R"({"data":{"type":"analysis","id":"x","attributes":{"status":"queued","date":5,)"
      R"("stats":{},"results":{}}}})");
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->status, domain::AnalysisStatus::kQueued);
  EXPECT_TRUE(queued->engines.empty());
  auto running = ParseV3Analysis(
      R"({"data":{"type":"analysis","id":"x","attributes":{"status":"in-progress"}}})");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->status, domain::AnalysisStatus::kInProgress);
  auto odd = ParseV3Analysis(
      R"({"data":{"type":"analysis","id":"x","attributes":{"status":"exploded"}}})");
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code, ErrorCode::kTransient);
}

TEST(JsonParseTest, V3Descriptors) {
  auto upload = ParseV3AnalysisDescriptor(Fixture("v3-files-upload-response-2020.json"));
  ASSERT_TRUE(upload) << upload.error().ToString();
  EXPECT_EQ(upload->id, "NjhiMzI5ZGE5ODkzZTM0MDk5YzdkOGFkNWNiOWM5NDA6MTU5OTA1NTM1Ng==");
  auto rescan2020 = ParseV3AnalysisDescriptor(Fixture("v3-files-analyse-response-2020.json"));
  ASSERT_TRUE(rescan2020);
  EXPECT_EQ(rescan2020->id, "NjhiMzI5ZGE5ODkzZTM0MDk5YzdkOGFkNWNiOWM5NDA6MTU5OTA1NTM1NQ==");
  auto rescan2023 = ParseV3AnalysisDescriptor(Fixture("v3-files-analyse-response-2023.json"));
  ASSERT_TRUE(rescan2023);
  EXPECT_EQ(rescan2023->id, "ZWY0Y2M1NWMzOTkwY2E2MmJmMDUyM2NlMTA1ZGU3NTA6MTcwMjIzNTY5MA==");
}

TEST(JsonParseTest, V3DescriptorWithIntegerIdFrom2019) {
  auto r = ParseV3AnalysisDescriptor(R"({"data": {"type": "analysis", "id": 1571524923}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, "1571524923");
}

TEST(JsonParseTest, V3UploadUrl) {
  auto url = ParseV3UploadUrl(Fixture("v3-files-upload-url-response-2019.json"));
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->starts_with("https://www.virustotal.com/_ah/upload/AMmfu6YF6tzbfGok"));
  EXPECT_TRUE(url->ends_with("/ALBNUaYAAAAAXauT9s305QrXkJkzvmbaO4P_Uu1PTo8V/"));
  EXPECT_FALSE(ParseV3UploadUrl(R"({"data": "ftp://x/"})"));
  EXPECT_FALSE(ParseV3UploadUrl(R"({"data": 5})"));
}

TEST(JsonParseTest, V3Comment) {
  auto c = ParseV3Comment(
      R"({"data":{"type":"comment","id":"f-01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b-3f9b1c2a",)"
      R"("attributes":{"date":1,"text":"#honeypot","tags":["honeypot"]}}})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, "f-01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b-3f9b1c2a");
  EXPECT_FALSE(ParseV3Comment(R"({"data":{"type":"file","id":"x"}})"));
}

TEST(JsonParseTest, V3ErrorBodies) {
  struct Case {
    const char* file;
    const char* code;
    const char* message_part;
  };
  for (const Case& c :
       {Case{"v3-error-404-not-found.json", "NotFoundError", "not found"},
        Case{"v3-error-404-not-found-2023.json", "NotFoundError", "fffdddd2"},
        Case{"v3-error-401-wrong-credentials.json", "WrongCredentialsError",
             "Wrong API key: testapikey"},
        Case{"v3-error-401-wrong-api-key-2023.json", "WrongCredentialsError", "Wrong API key"},
        Case{"v3-error-429-quota-exceeded.json", "QuotaExceededError", "Quota exceeded"}}) {
    const V3ErrorBody e = ParseV3Error(Fixture(c.file));
    EXPECT_EQ(e.code, c.code) << c.file;
    EXPECT_NE(e.message.find(c.message_part), std::string::npos) << c.file;
  }
  EXPECT_TRUE(ParseV3Error("<html>502</html>").code.empty());
}

TEST(JsonParseTest, V2ReportFound) {
  const std::string body = Fixture("v2-file-report-found.json");
  auto reports = ParseV2FileReports(body, 1);
  ASSERT_TRUE(reports) << reports.error().ToString();
  ASSERT_EQ(reports->size(), 1u);
  auto& r = (*reports)[0];
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->md5, "68b329da9893e34099c7d8ad5cb9c940");
  EXPECT_EQ(r->sha1, "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc");
  EXPECT_EQ(r->sha256, "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b");
  EXPECT_EQ(r->last_analysis_date, 1418032127);  // "2014-12-08 09:48:47" UTC
  EXPECT_EQ(r->scan_id,
            "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b-1418032127");
  EXPECT_EQ(r->permalink,
            "https://www.virustotal.com/file/01ba4719c80b6fe911b091a7c05124b64"
            "eeece964e09c058ef8f9805daca546b/analysis/1418032127/");
  ASSERT_EQ(r->engines.size(), 55u);
  EXPECT_EQ(r->Positives(), 0);
  EXPECT_EQ(r->Total(), 55);
  EXPECT_EQ(r->engines.front().engine, "Bkav");
  EXPECT_EQ(r->engines.front().engine_name, "Bkav");
  EXPECT_EQ(r->engines.front().version, "1.3.0.6267");
  EXPECT_EQ(r->engines.front().update, "20141206");
  EXPECT_EQ(r->engines.front().category, "undetected");
  EXPECT_FALSE(r->engines.front().result.has_value());
  EXPECT_EQ(r->engines.back().engine, "Qihoo-360");
  EXPECT_EQ(r->raw_json, body);
}

TEST(JsonParseTest, V2DetectedMapsToMalicious) {
  auto reports = ParseV2FileReports(
      R"({"response_code":1,"md5":"68b329da9893e34099c7d8ad5cb9c940","scan_date":"2010-10-07 16:57:27",)"
      R"("scans":{"A":{"detected":true,"version":"1","result":"Worm.X","update":"20101007"},)"
      R"("B":{"detected":false,"version":"2","result":"","update":"20101007"}}})",
      1);
  ASSERT_TRUE(reports);
  auto& r = (*reports)[0];
  ASSERT_TRUE(r);
  ASSERT_EQ(r->engines.size(), 2u);
  EXPECT_EQ(r->engines[0].category, "malicious");
  EXPECT_EQ(r->engines[0].result, "Worm.X");
  EXPECT_EQ(r->engines[1].category, "undetected");
  EXPECT_FALSE(r->engines[1].result.has_value());  // '' means not detected
  EXPECT_EQ(r->Positives(), 1);
  EXPECT_EQ(r->last_analysis_date, 1286470647);
}

TEST(JsonParseTest, V2ReportNotFoundAndQueued) {
  auto nf = ParseV2FileReports(Fixture("v2-file-report-not-found.json"), 1);
  ASSERT_TRUE(nf);
  ASSERT_FALSE((*nf)[0]);
  EXPECT_EQ((*nf)[0].error().code, ErrorCode::kNotFound);
  auto queued = ParseV2FileReports(R"({"response_code": -2, "resource": "abc", "scan_id": "abc-1",)"
                                   R"( "verbose_msg": "Your resource is queued for analysis"})",
                                   1);
  ASSERT_TRUE(queued);
  EXPECT_EQ((*queued)[0].error().code, ErrorCode::kQueued);
}

TEST(JsonParseTest, V2BatchInRequestOrder) {
  const std::string found = Fixture("v2-file-report-found.json");
  const std::string missing = Fixture("v2-file-report-not-found.json");
  auto reports = ParseV2FileReports("[" + missing + "," + found + "]", 2);
  ASSERT_TRUE(reports) << reports.error().ToString();
  ASSERT_EQ(reports->size(), 2u);
  EXPECT_EQ((*reports)[0].error().code, ErrorCode::kNotFound);
  ASSERT_TRUE((*reports)[1]);
  EXPECT_EQ((*reports)[1]->engines.size(), 55u);
  EXPECT_NE((*reports)[1]->raw_json.find("\"scans\""), std::string::npos);
  // A reply with the wrong number of items fails as a whole.
  auto short_reply = ParseV2FileReports("[" + found + "]", 2);
  ASSERT_FALSE(short_reply);
  EXPECT_EQ(short_reply.error().code, ErrorCode::kTransient);
}

TEST(JsonParseTest, V2ScanAndRescan) {
  auto scan = ParseV2ScanReply(Fixture("v2-file-scan.json"));
  ASSERT_TRUE(scan) << scan.error().ToString();
  EXPECT_EQ(scan->id,
            "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b-1419455691");
  EXPECT_EQ(scan->sha256, "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b");
  EXPECT_TRUE(scan->permalink.ends_with("/analysis/1419455691/"));
  auto rescan = ParseV2ScanReply(Fixture("v2-file-rescan.json"));
  ASSERT_TRUE(rescan) << rescan.error().ToString();
  EXPECT_EQ(rescan->id,
            "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b-1562684247");
}

TEST(JsonParseTest, V2CommentReplies) {
  EXPECT_TRUE(ParseV2CommentReply(
      R"({"response_code": 1, "verbose_msg": "Your comment was successfully posted"})"));
  EXPECT_TRUE(ParseV2CommentReply(R"({"response_code": 0, "verbose_msg": "Duplicate comment"})"));
  auto bad = ParseV2CommentReply(R"({"response_code": 0, "verbose_msg": "Invalid resource"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
}

// Hostile and broken bodies: always a typed error, never a crash.
TEST(JsonParseTest, BrokenBodiesAreTransient) {
  const std::string object = Fixture("v3-file-object.json");
  std::vector<std::string> bodies = {
      "",
      "not json",
      "<html>Bad Gateway</html>",
      "{",
      "[]",
      "null",
      "42",
      object.substr(0, object.size() / 2),  // truncated
      R"({"data": []})",
      R"({"data": {"type": "file"}})",
      R"({"data": {"type": "file", "attributes": {"sha256": "zz"}}})",
      R"({"data": {"type": "file", "attributes": {"md5": 5, "sha256": 1}}})",
      std::string(100, '[') + std::string(100, ']'),  // deeper than the limit
      std::string(100000, '['),                       // deep and truncated
      "\xff\xfe{\"data\":1}",                         // not UTF-8
  };
  for (const std::string& body : bodies) {
    auto r = ParseV3FileReport(body);
    ASSERT_FALSE(r) << body.substr(0, 40);
    EXPECT_EQ(r.error().code, ErrorCode::kTransient) << body.substr(0, 40);
    EXPECT_FALSE(ParseV3Analysis(body));
    EXPECT_FALSE(ParseV3AnalysisDescriptor(body));
    auto v2 = ParseV2FileReports(body, 1);  // fails as a whole or for the one item
    EXPECT_TRUE(!v2 || !(*v2)[0]) << body.substr(0, 40);
    EXPECT_FALSE(ParseV2ScanReply(body));
  }
}

TEST(JsonParseTest, WrongTypesReadAsUnknown) {
  auto r = ParseV3FileReport(
      R"({"data": {"type": "file", "id": "001015aafcae8a6942366cbb0e7d39c0738752a7800c41ea1c655d47b0a4d04c",)"
      R"( "attributes": {"size": "big", "names": [1, "a", null], "last_analysis_date": 1.5,)"
      R"( "last_analysis_results": {"X": 1, "Y": {"category": 7, "result": 3}}}}})");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->size, -1);
  EXPECT_EQ(r->names, std::vector<std::string>{"a"});
  EXPECT_EQ(r->last_analysis_date, 0);
  ASSERT_EQ(r->engines.size(), 1u);
  EXPECT_EQ(r->engines[0].engine, "Y");
  EXPECT_EQ(r->engines[0].category, "");
  EXPECT_FALSE(r->engines[0].result.has_value());
}

TEST(JsonParseTest, TooManyMembersIsRejectedNotSlow) {
  std::string body = R"({"data": {"type": "file", "attributes": {)";
  for (int i = 0; i < 5000; ++i) body += (i ? "," : "") + ("\"k" + std::to_string(i) + "\":1");
  body += "}}}";
  auto r = ParseV3FileReport(body);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("too many members"), std::string::npos);
}

}  // namespace
}  // namespace honeyvt::vt
