// Stopping the libcurl transport mid-transfer (SIGTERM in `honeyvt run`): a stop request
// abandons an upload whose server stopped reading, and a request waiting for a stalled
// answer, within about a second; the progress callback keeps ticking while a transfer
// hangs (the watchdog's sign of life).

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "vt/transport.h"

namespace honeyvt::vt {
namespace {

using namespace std::chrono_literals;

// 600 MB of zeros, made as they are sent (no file, no memory).
class Zeros final : public BodySource {
 public:
  explicit Zeros(std::int64_t size) : size_(size) {}
  std::int64_t size() const override { return size_; }
  Status Rewind() override {
    offset_ = 0;
    return OkStatus();
  }
  Result<std::size_t> Read(char* buffer, std::size_t n) override {
    const auto left = static_cast<std::size_t>(size_ - offset_);
    n = std::min(n, left);
    std::memset(buffer, 0, n);
    offset_ += static_cast<std::int64_t>(n);
    return n;
  }

 private:
  std::int64_t size_;
  std::int64_t offset_ = 0;
};

class CurlCancelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Reads a few bytes of the upload, then stops reading (the client's socket buffers
    // fill and its send blocks) until the test ends, or 10 s (so that a transport that
    // ignores the stop request fails the test instead of hanging it).
    server_.Post("/stall-upload", [this](const httplib::Request&, httplib::Response& res,
                                         const httplib::ContentReader& reader) {
      bool first = true;
      reader([](const httplib::MultipartFormData&) { return true; },
             [&](const char*, size_t) {
               if (first) {
                 first = false;
                 ++stalled_;
                 Hold();
               }
               return !release_.load();
             });
      res.set_content("{}", "application/json");
    });
    // Does not answer until the test ends (or 10 s).
    server_.Get("/stall", [this](const httplib::Request&, httplib::Response& res) {
      ++stalled_;
      Hold();
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    release_ = true;
    server_.stop();
    thread_.join();
  }
  void Hold() {
    for (int i = 0; i < 1000 && !release_; ++i) std::this_thread::sleep_for(10ms);
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Requests stop once the server holds the request, and measures how long Send() took
  // from then on.
  Result<HttpResponse> SendAndStop(CurlOptions options, const HttpRequest& request,
                                   std::chrono::steady_clock::duration& after_stop) {
    std::stop_source stop;
    options.cancel = stop.get_token();
    auto transport = MakeCurlTransport(options);
    EXPECT_TRUE(transport);
    std::atomic<std::chrono::steady_clock::time_point> stopped_at{};
    std::jthread stopper([&] {
      while (stalled_ == 0 && !release_) std::this_thread::sleep_for(5ms);
      std::this_thread::sleep_for(300ms);  // well inside the transfer
      stopped_at = std::chrono::steady_clock::now();
      stop.request_stop();
    });
    auto r = (*transport)->Send(request);
    after_stop = std::chrono::steady_clock::now() - stopped_at.load();
    return r;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> stalled_{0};
  std::atomic<bool> release_{false};
};

TEST_F(CurlCancelTest, StopAbandonsAnUploadTheServerStoppedReading) {
  HttpRequest upload;
  upload.method = "POST";
  upload.url = Url("/stall-upload");
  upload.multipart = true;
  upload.form.push_back({.name = "file",
                         .value = "",
                         .source = std::make_shared<Zeros>(600LL * 1000 * 1000),
                         .filename = "large.bin"});
  std::chrono::steady_clock::duration after_stop{};
  const auto start = std::chrono::steady_clock::now();
  auto r = SendAndStop({}, upload, after_stop);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled) << r.error().ToString();
  EXPECT_LT(after_stop, 2s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(CurlCancelTest, StopAbandonsAWaitForAStalledAnswerAndProgressTicks) {
  std::atomic<int> ticks{0};
  CurlOptions options;
  options.on_progress = [&ticks] { ++ticks; };
  HttpRequest get;
  get.url = Url("/stall");
  std::chrono::steady_clock::duration after_stop{};
  auto r = SendAndStop(options, get, after_stop);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled) << r.error().ToString();
  EXPECT_LT(after_stop, 2s);
  EXPECT_GT(ticks.load(), 0);
}

TEST_F(CurlCancelTest, NothingIsSentOnceStopWasRequested) {
  std::stop_source stop;
  stop.request_stop();
  CurlOptions options;
  options.cancel = stop.get_token();
  auto transport = MakeCurlTransport(options);
  ASSERT_TRUE(transport);
  HttpRequest get;
  get.url = Url("/stall");
  auto r = (*transport)->Send(get);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(stalled_.load(), 0);
}

}  // namespace
}  // namespace honeyvt::vt
