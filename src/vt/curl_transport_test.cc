// The libcurl transport against a cpp-httplib server on a loopback port chosen by the
// kernel: normal replies, gzip, timeouts, a dropped connection, redirects, the body cap,
// a multi-megabyte upload streamed from disk, and the clients end to end over curl.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "core/testing.h"
#include "vt/factory.h"
#include "vt/fake_transport.h"
#include "vt/transport.h"

namespace honeyvt::vt {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;
using testing::WriteFile;

std::string Gzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A loopback HTTP server running on its own thread for the life of the test.
class LoopbackServer {
 public:
  LoopbackServer() = default;
  void Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~LoopbackServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Server& server() { return server_; }
  std::string Url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = server_.server();
    s.Get("/json", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      seen_apikey_ = req.get_header_value("x-apikey");
      seen_user_agent_ = req.get_header_value("User-Agent");
      seen_accept_encoding_ = req.get_header_value("Accept-Encoding");
      remote_ports_.push_back(req.remote_port);
      res.set_header("Retry-After", "5");
      res.set_content(R"({"ok": true})", "application/json");
    });
    s.Get("/gzip", [](const httplib::Request& req, httplib::Response& res) {
      const std::string body(20000, 'v');
      if (req.get_header_value("Accept-Encoding").find("gzip") == std::string::npos) {
        res.set_content(body, "application/json");
        return;
      }
      res.set_header("Content-Encoding", "gzip");
      res.set_content(Gzip(body), "application/json");
    });
    s.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [](size_t, httplib::DataSink& sink) {
        for (int i = 0; i < 40; ++i) {  // 1 byte per 100 ms for at most 4 s
          if (!sink.is_writable() || !sink.write("x", 1)) return false;
          std::this_thread::sleep_for(100ms);
        }
        sink.done();
        return true;
      });
    });
    s.Get("/drop", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(100000, "application/json",
                               [](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (offset > 0) return false;  // close mid-body
                                 std::string part(1000, '{');
                                 sink.write(part.data(), part.size());
                                 return true;
                               });
    });
    s.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(std::size_t{2} * 1024 * 1024, 'b'), "application/json");
    });
    s.Post("/upload", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      seen_apikey_ = req.get_header_value("x-apikey");
      if (req.has_file("file")) {
        const auto file = req.get_file_value("file");
        received_ = file.content;
        received_filename_ = file.filename;
      }
      res.set_content(R"({"data": {"type": "analysis", "id": "up"}})", "application/json");
    });
    // Counts the bytes of an upload without keeping them (for the memory test).
    s.Post("/sink", [this](const httplib::Request& req, httplib::Response& res,
                           const httplib::ContentReader& content_reader) {
      std::size_t n = 0;
      if (req.is_multipart_form_data()) {
        content_reader([](const httplib::MultipartFormData&) { return true; },
                       [&n](const char*, size_t len) {
                         n += len;
                         return true;
                       });
      } else {
        content_reader([&n](const char*, size_t len) {
          n += len;
          return true;
        });
      }
      sink_bytes_ = n;
      res.set_content("{}", "application/json");
    });
    s.Post("/redirect-307", [](const httplib::Request&, httplib::Response& res) {
      res.status = 307;
      res.set_header("Location", "/upload");
    });
    s.Post("/redirect-303", [](const httplib::Request&, httplib::Response& res) {
      res.status = 303;
      res.set_header("Location", "/json");
    });
    s.Get("/redirect-elsewhere", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", server_.Url("/json", "localhost"));
    });
    s.Get("/redirect-loop", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "/redirect-loop");
    });
    server_.Start();
  }

  std::unique_ptr<Transport> NewTransport(CurlOptions options = {}) {
    auto t = MakeCurlTransport(options);
    EXPECT_TRUE(t);
    return std::move(*t);
  }

  static HttpRequest Get(std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    r.headers = {{"x-apikey", "loopback-key"}};
    return r;
  }

  LoopbackServer server_;
  std::mutex mu_;
  std::string seen_apikey_, seen_user_agent_, seen_accept_encoding_;
  std::vector<int> remote_ports_;
  std::string received_, received_filename_;
  std::atomic<std::size_t> sink_bytes_{0};
  TempDir dir_;
};

TEST_F(CurlTransportTest, JsonReplyHeadersAndApiKey) {
  auto t = NewTransport();
  auto r = t->Send(Get(server_.Url("/json")));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok": true})");
  EXPECT_EQ(r->Header("retry-after"), "5");
  EXPECT_EQ(r->Header("content-type"), "application/json");
  std::lock_guard lock(mu_);
  EXPECT_EQ(seen_apikey_, "loopback-key");
  EXPECT_NE(seen_user_agent_.find("gzip"), std::string::npos);
  EXPECT_NE(seen_accept_encoding_.find("gzip"), std::string::npos);
}

TEST_F(CurlTransportTest, ReusesTheConnection) {
  auto t = NewTransport();
  ASSERT_TRUE(t->Send(Get(server_.Url("/json"))));
  ASSERT_TRUE(t->Send(Get(server_.Url("/json"))));
  std::lock_guard lock(mu_);
  ASSERT_EQ(remote_ports_.size(), 2u);
  EXPECT_EQ(remote_ports_[0], remote_ports_[1]);
}

TEST_F(CurlTransportTest, GzipIsDecoded) {
  auto r = NewTransport()->Send(Get(server_.Url("/gzip")));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->Header("content-encoding"), "gzip");
  EXPECT_EQ(r->body, std::string(20000, 'v'));
}

TEST_F(CurlTransportTest, SlowBodyTripsTheTotalTimeout) {
  CurlOptions o;
  o.total_timeout = 500ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = NewTransport(o)->Send(Get(server_.Url("/slow")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransient);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(CurlTransportTest, SlowBodyTripsTheLowSpeedAbort) {
  CurlOptions o;
  o.low_speed_bytes = 1000;
  o.low_speed_time = 1s;
  auto r = NewTransport(o)->Send(Get(server_.Url("/slow")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransient);
  EXPECT_NE(r.error().message.find("slow"), std::string::npos) << r.error().message;
}

TEST_F(CurlTransportTest, ConnectionClosedMidBodyIsTransient) {
  auto r = NewTransport()->Send(Get(server_.Url("/drop")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransient) << r.error().ToString();
}

TEST_F(CurlTransportTest, ConnectionRefusedIsTransient) {
  // Bind a port without listening, note it, close it: connecting there is refused.
  int port = 0;
  {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
    ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    close(fd);
  }
  auto r = NewTransport()->Send(Get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransient);
}

TEST_F(CurlTransportTest, BodyOverTheCapIsTransient) {
  CurlOptions o;
  o.max_body_bytes = std::int64_t{1024} * 1024;
  auto r = NewTransport(o)->Send(Get(server_.Url("/big")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransient);
  EXPECT_NE(r.error().message.find("larger than"), std::string::npos);
  auto fits = NewTransport()->Send(Get(server_.Url("/big")));  // default cap 64 MiB
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->body.size(), std::size_t{2} * 1024 * 1024);
}

HttpRequest UploadRequest(std::string url, std::shared_ptr<BodySource> body) {
  HttpRequest r;
  r.method = "POST";
  r.url = std::move(url);
  r.headers = {{"x-apikey", "loopback-key"}};
  r.multipart = true;
  r.form.push_back(
      {.name = "file", .value = "", .source = std::move(body), .filename = "sample.bin"});
  return r;
}

HttpRequest UploadRequest(std::string url, const std::filesystem::path& file) {
  return UploadRequest(std::move(url), UploadOf(file).body);
}

std::string RandomBytes(std::size_t n) {
  std::mt19937_64 rng(42);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

TEST_F(CurlTransportTest, UploadsAMultiMegabyteFileByteForByte) {
  const std::string content = RandomBytes(std::size_t{6} * 1024 * 1024 + 7);
  const auto file = dir_ / "sample.bin";
  WriteFile(file, content);
  auto r = NewTransport()->Send(UploadRequest(server_.Url("/upload"), file));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  std::lock_guard lock(mu_);
  EXPECT_EQ(received_filename_, "sample.bin");
  EXPECT_EQ(received_.size(), content.size());
  EXPECT_TRUE(received_ == content);
  EXPECT_EQ(seen_apikey_, "loopback-key");
}

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_F(CurlTransportTest, UploadMemoryDoesNotGrowWithFileSize) {
  constexpr std::int64_t kSize = 192LL * 1024 * 1024;
  const auto file = dir_ / "large.bin";
  WriteFile(file, "");
  std::filesystem::resize_file(file, kSize);  // sparse: costs no disk
  const long before = PeakRssKiB();
  auto r = NewTransport()->Send(UploadRequest(server_.Url("/sink"), file));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_GE(sink_bytes_.load(), static_cast<std::size_t>(kSize));
  // Streamed from disk: the peak grows by far less than the file (no copy in memory).
  EXPECT_LT(PeakRssKiB() - before, 64L * 1024) << "peak RSS grew with the upload";
}

TEST_F(CurlTransportTest, RedirectToTheUploadUrlKeepsPostAndFile) {
  const std::string content = RandomBytes(300000);
  const auto file = dir_ / "sample.bin";
  WriteFile(file, content);
  auto r = NewTransport()->Send(UploadRequest(server_.Url("/redirect-307"), file));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"up\""), std::string::npos);
  std::lock_guard lock(mu_);
  EXPECT_TRUE(received_ == content);
  EXPECT_EQ(seen_apikey_, "loopback-key");  // same origin: the key goes along
}

TEST_F(CurlTransportTest, SeeOtherTurnsIntoGet) {
  HttpRequest post;
  post.method = "POST";
  post.url = server_.Url("/redirect-303");
  post.body = "{}";
  auto r = NewTransport()->Send(post);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->body, R"({"ok": true})");
}

TEST_F(CurlTransportTest, RedirectToAnotherOriginDropsTheKey) {
  auto r = NewTransport()->Send(Get(server_.Url("/redirect-elsewhere")));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 200);
  std::lock_guard lock(mu_);
  EXPECT_EQ(seen_apikey_, "");
}

TEST_F(CurlTransportTest, RedirectLoopEnds) {
  auto r = NewTransport()->Send(Get(server_.Url("/redirect-loop")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransient);
}

TEST_F(CurlTransportTest, UrlPolicy) {
  auto t = NewTransport();
  EXPECT_EQ(t->Send(Get("http://example.com/api/v3/files/x")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(t->Send(Get("ftp://127.0.0.1/x")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(t->Send(Get("not a url")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(CheckTransportUrl("https://www.virustotal.com/api/v3/"));
  EXPECT_TRUE(CheckTransportUrl("http://localhost:8080/"));
  EXPECT_TRUE(CheckTransportUrl("http://[::1]:8080/"));
}

TEST_F(CurlTransportTest, TlsFailureIsTransient) {
  // https against the plain-http server: the handshake fails; verification stays on.
  std::string url = server_.Url("/json");
  url.replace(0, 4, "https");
  auto r = NewTransport()->Send(Get(url));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransient);
}

// A body that fails (the file changed while it was sent) aborts the transfer: kIo with
// the body's reason, and the server never gets a complete request.
TEST_F(CurlTransportTest, FailingBodyAbortsTheUploadWithItsReason) {
  const std::string content = RandomBytes(300000);
  const auto file = dir_ / "sample.bin";
  WriteFile(file, content);
  Upload upload = UploadOf(file);
  std::string changed = content;
  changed.back() = static_cast<char>(changed.back() ^ 1);
  WriteFile(file, changed);  // same size and inode, other content
  auto r = NewTransport()->Send(UploadRequest(server_.Url("/upload"), upload.body));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("changed while it was being sent"), std::string::npos)
      << r.error().message;
  std::lock_guard lock(mu_);
  EXPECT_TRUE(received_.empty()) << "the server handled an upload";
}

}  // namespace
}  // namespace honeyvt::vt
