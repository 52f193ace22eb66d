#include "vt/error_map.h"

#include <gtest/gtest.h>

namespace honeyvt::vt {
namespace {

HttpResponse WithHeaders(int status, std::map<std::string, std::string> headers,
                         std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(ErrorMapTest, RetryAfterForms) {
  using std::chrono::seconds;
  EXPECT_EQ(ParseRetryAfter(WithHeaders(429, {{"retry-after", "120"}})), seconds(120));
  EXPECT_EQ(ParseRetryAfter(WithHeaders(429, {{"retry-after", " 7 "}})), seconds(7));
  EXPECT_EQ(ParseRetryAfter(WithHeaders(429, {{"retry-after", "-5"}})), seconds(0));
  EXPECT_EQ(ParseRetryAfter(WithHeaders(429, {{"retry-after", "99999999999"}})),
            seconds(31LL * 86400));
  EXPECT_EQ(ParseRetryAfter(WithHeaders(503, {{"retry-after", "Fri, 27 Nov 2026 10:02:00 GMT"},
                                              {"date", "Fri, 27 Nov 2026 10:00:00 GMT"}})),
            seconds(120));
  // An HTTP-date without the server's Date cannot be turned into a delay.
  EXPECT_EQ(ParseRetryAfter(WithHeaders(503, {{"retry-after", "Fri, 27 Nov 2026 10:02:00 GMT"}})),
            std::nullopt);
  EXPECT_EQ(ParseRetryAfter(WithHeaders(429, {{"retry-after", "soon"}})), std::nullopt);
  EXPECT_EQ(ParseRetryAfter(WithHeaders(429, {})), std::nullopt);
}

TEST(ErrorMapTest, V3CodeRefinesStatus) {
  const Secret key("k");
  auto map = [&](int status, const std::string& code) {
    return MapV3Response(
               WithHeaders(status, {}, R"({"error": {"code": ")" + code + R"(", "message": "m"}})"),
               key)
        .code;
  };
  EXPECT_EQ(map(429, "QuotaExceededError"), ErrorCode::kQuotaExceeded);
  EXPECT_EQ(map(429, "TooManyRequestsError"), ErrorCode::kRateLimited);
  EXPECT_EQ(map(429, "SomethingNew"), ErrorCode::kRateLimited);
  EXPECT_EQ(map(400, "NotAvailableYet"), ErrorCode::kTransient);
  EXPECT_EQ(map(400, "InvalidArgumentError"), ErrorCode::kBadRequest);
  EXPECT_EQ(map(401, "UserNotActiveError"), ErrorCode::kAuthFailed);
  EXPECT_EQ(map(401, "AuthenticationRequiredError"), ErrorCode::kAuthFailed);
  EXPECT_EQ(map(409, "AlreadyExistsError"), ErrorCode::kBadRequest);
  EXPECT_EQ(map(424, "FailedDependencyError"), ErrorCode::kTransient);
  EXPECT_EQ(map(418, "Teapot"), ErrorCode::kBadRequest);
  EXPECT_EQ(map(302, ""), ErrorCode::kTransient);
}

TEST(ErrorMapTest, V2Statuses) {
  const Secret key("k");
  EXPECT_EQ(MapV2Response(WithHeaders(204, {}), key).code, ErrorCode::kQuotaExceeded);
  EXPECT_EQ(MapV2Response(WithHeaders(403, {}), key).code, ErrorCode::kAuthFailed);
  EXPECT_EQ(MapV2Response(WithHeaders(400, {}), key).code, ErrorCode::kBadRequest);
  EXPECT_EQ(MapV2Response(WithHeaders(404, {}), key).code, ErrorCode::kBadRequest);
  EXPECT_EQ(MapV2Response(WithHeaders(413, {}), key).code, ErrorCode::kTooLarge);
  EXPECT_EQ(MapV2Response(WithHeaders(429, {}), key).code, ErrorCode::kRateLimited);
  EXPECT_EQ(MapV2Response(WithHeaders(502, {}), key).code, ErrorCode::kTransient);
  EXPECT_EQ(MapV2Response(WithHeaders(204, {{"retry-after", "60"}}), key).retry_after,
            std::chrono::seconds(60));
}

TEST(ErrorMapTest, KeyIsRedactedEvenWhenTheMessageIsCut) {
  const std::string key(64, 'a');
  const std::string message = std::string(190, 'x') + " " + key;  // key straddles the cut
  const Error e =
      MapV3Response(WithHeaders(401, {},
                                R"({"error": {"code": "WrongCredentialsError", "message": ")" +
                                    message + R"("}})"),
                    Secret(key));
  EXPECT_EQ(e.message.find("aaaaaaaa"), std::string::npos) << e.message;
  const Error v2 = MapV2Response(WithHeaders(400, {}, "bad key " + key), Secret(key));
  EXPECT_EQ(v2.message.find("aaaaaaaa"), std::string::npos) << v2.message;
}

}  // namespace
}  // namespace honeyvt::vt
