#include "core/digest.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "core/strings.h"

namespace honeyvt {
namespace {

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

class Hasher {
 public:
  Hasher() {
    const EVP_MD* mds[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
    for (int i = 0; i < 3; ++i) {
      ctx_[i] = Ctx(EVP_MD_CTX_new());
      EVP_DigestInit_ex(ctx_[i].get(), mds[i], nullptr);
    }
  }
  void Update(const char* data, std::size_t n) {
    for (auto& c : ctx_) EVP_DigestUpdate(c.get(), data, n);
    size_ += static_cast<std::int64_t>(n);
  }
  ContentDigests Finish() {
    ContentDigests d;
    std::string* outs[3] = {&d.md5, &d.sha1, &d.sha256};
    for (int i = 0; i < 3; ++i) {
      unsigned char buf[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      EVP_DigestFinal_ex(ctx_[i].get(), buf, &len);
      *outs[i] = HexEncode(std::string_view(reinterpret_cast<const char*>(buf), len));
    }
    d.size = size_;
    return d;
  }

 private:
  std::array<Ctx, 3> ctx_;
  std::int64_t size_ = 0;
};

}  // namespace

struct Digester::Impl {
  Hasher hasher;
};

Digester::Digester() : impl_(std::make_unique<Impl>()) {}
Digester::~Digester() = default;
void Digester::Update(const char* data, std::size_t n) { impl_->hasher.Update(data, n); }
ContentDigests Digester::Finish() {
  ContentDigests d = impl_->hasher.Finish();
  impl_ = std::make_unique<Impl>();
  return d;
}

Result<ContentDigests> DigestFd(int fd) {
  Hasher h;
  std::array<char, std::size_t{64} * 1024> buf{};
  for (off_t offset = 0;;) {
    const ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, std::string("read error: ") + std::strerror(errno));
    }
    if (n == 0) break;
    h.Update(buf.data(), static_cast<std::size_t>(n));
    offset += n;
  }
  return h.Finish();
}

ContentDigests DigestBytes(std::string_view bytes) {
  Hasher h;
  h.Update(bytes.data(), bytes.size());
  return h.Finish();
}

Result<ContentDigests> DigestFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return MakeError(ErrorCode::kNotFound, path.string() + ": no such file");
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    return MakeError(ErrorCode::kIo, path.string() + ": not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kIo, path.string() + ": " + std::strerror(errno));
  }
  Hasher h;
  std::array<char, std::size_t{64} * 1024> buf{};
  while (in) {
    in.read(buf.data(), buf.size());
    if (in.gcount() > 0) h.Update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return MakeError(ErrorCode::kIo, path.string() + ": read error");
  return h.Finish();
}

}  // namespace honeyvt
