#include "vt/fake_transport.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/digest.h"
#include "vt/file_body.h"

#include "core/strings.h"

namespace honeyvt::vt {

void FakeTransport::Reply(int status, std::string body,
                          std::map<std::string, std::string> headers) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  script_.emplace_back(std::move(r));
}

void FakeTransport::Fail(ErrorCode code, std::string message) {
  script_.emplace_back(MakeError(code, std::move(message)));
}

Result<HttpResponse> FakeTransport::Send(const HttpRequest& request) {
  requests_.push_back(request);
  if (script_.empty()) return MakeError(ErrorCode::kInternal, "unscripted request");
  Result<HttpResponse> next = std::move(script_.front());
  script_.pop_front();
  return next;
}

namespace {

class Zeros final : public BodySource {
 public:
  explicit Zeros(std::int64_t size) : size_(size) {}
  std::int64_t size() const override { return size_; }
  Status Rewind() override {
    at_ = 0;
    return OkStatus();
  }
  Result<std::size_t> Read(char* buffer, std::size_t n) override {
    const auto k =
        static_cast<std::size_t>(std::min<std::int64_t>(size_ - at_, static_cast<std::int64_t>(n)));
    std::memset(buffer, 0, k);
    at_ += static_cast<std::int64_t>(k);
    return k;
  }

 private:
  std::int64_t size_;
  std::int64_t at_ = 0;
};

}  // namespace

std::shared_ptr<BodySource> ZeroBody(std::int64_t size) { return std::make_shared<Zeros>(size); }

Upload UploadOf(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) std::abort();
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) std::abort();
  auto digests = DigestFd(fd.get());
  if (!digests) std::abort();
  return Upload{
      std::make_shared<FileBody>(std::move(fd), st.st_size, digests->sha256, file.string()),
      file.filename().string()};
}

std::string BodyText(BodySource& body) {
  std::string out;
  if (!body.Rewind()) return out;
  char buf[65536];
  while (true) {
    auto n = body.Read(buf, sizeof buf);
    if (!n || *n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

std::string FormValue(const HttpRequest& request, const std::string& name) {
  for (const FormField& f : request.form) {
    if (f.name == name) return f.source ? std::string("<file part>") : f.value;
  }
  return "";
}

std::string HeaderValue(const HttpRequest& request, const std::string& name) {
  for (const auto& [n, v] : request.headers) {
    if (ToLower(n) == ToLower(name)) return v;
  }
  return "";
}

}  // namespace honeyvt::vt
