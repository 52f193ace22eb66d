#include "core/result.h"

#include <gtest/gtest.h>

namespace honeyvt {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Unexpected(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return OkStatus();
}

TEST(ResultTest, ValueAndErrorPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().ToString(), "invalid argument: odd");
  EXPECT_TRUE(CheckEven(4));
  EXPECT_FALSE(CheckEven(3));
  EXPECT_EQ(Half(3).value_or(-1), -1);
}

TEST(ResultTest, RetryAfterIsCarried) {
  Error e = MakeError(ErrorCode::kQuotaExceeded, "Quota exceeded");
  e.retry_after = std::chrono::seconds(42);
  Result<int> r(e);
  ASSERT_TRUE(r.error().retry_after.has_value());
  EXPECT_EQ(r.error().retry_after->count(), 42);
}

}  // namespace
}  // namespace honeyvt
