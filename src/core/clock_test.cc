#include "core/clock.h"

#include <gtest/gtest.h>

#include <thread>

namespace honeyvt {
namespace {

TEST(FakeClockTest, AutoAdvanceJumpsToDeadline) {
  FakeClock clock(FromUnixSeconds(std::int64_t{1000}));
  std::stop_source stop;
  EXPECT_TRUE(clock.SleepFor(std::chrono::seconds(30), stop.get_token()));
  EXPECT_EQ(ToUnixSecondsInt(clock.Now()), 1030);
}

TEST(FakeClockTest, ManualClockBlocksUntilAdvanced) {
  FakeClock clock(FromUnixSeconds(std::int64_t{0}), /*auto_advance=*/false);
  std::stop_source stop;
  std::atomic<bool> woke{false};
  const TimePoint deadline = clock.Now() + std::chrono::seconds(10);
  std::thread t([&] {
    EXPECT_TRUE(clock.SleepUntil(deadline, stop.get_token()));
    woke = true;
  });
  clock.Advance(std::chrono::seconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(woke);
  clock.Advance(std::chrono::seconds(5));
  t.join();
  EXPECT_TRUE(woke);
}

TEST(SystemClockTest, SleepIsInterruptedByStop) {
  SystemClock clock;
  std::stop_source stop;
  std::thread t([&] { stop.request_stop(); });
  auto start = std::chrono::steady_clock::now();
  bool finished = clock.SleepFor(std::chrono::hours(1), stop.get_token());
  t.join();
  EXPECT_FALSE(finished);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace honeyvt
