#pragma once
// A scripted Transport for tests: replies are queued in order; every request is recorded.
// A request with nothing scripted gets kInternal, so a test notices an extra call.

#include <deque>
#include <map>
#include <string>
#include <vector>

#include <filesystem>
#include <memory>

#include "vt/client.h"
#include "vt/transport.h"

namespace honeyvt::vt {

class FakeTransport final : public Transport {
 public:
  void Reply(int status, std::string body, std::map<std::string, std::string> headers = {});
  void Fail(ErrorCode code, std::string message);

  Result<HttpResponse> Send(const HttpRequest& request) override;

  const std::vector<HttpRequest>& requests() const { return requests_; }
  const HttpRequest& last() const { return requests_.back(); }

 private:
  std::deque<Result<HttpResponse>> script_;
  std::vector<HttpRequest> requests_;
};

// An upload body of `size` zero bytes (for size checks; reading it yields zeros).
std::shared_ptr<BodySource> ZeroBody(std::int64_t size);
// The Upload of a file on disk, opened and hashed here (tests of the clients; the
// pipeline opens samples with pipeline/sample_upload.h). Aborts the test process if the
// file cannot be opened.
Upload UploadOf(const std::filesystem::path& file);
// Everything a body yields, from the start.
std::string BodyText(BodySource& body);

// The value of a form field of a request ("" if absent; "<file part>" for a file).
std::string FormValue(const HttpRequest& request, const std::string& name);
// The value of a header (case-insensitive name; "" if absent).
std::string HeaderValue(const HttpRequest& request, const std::string& name);

}  // namespace honeyvt::vt
