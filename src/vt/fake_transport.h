#pragma once
// A scripted Transport for tests: replies are queued in order; every request is recorded.
// A request with nothing scripted gets kInternal, so a test notices an extra call.

#include <deque>
#include <map>
#include <string>
#include <vector>

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

// The value of a form field of a request ("" if absent).
std::string FormValue(const HttpRequest& request, const std::string& name);
// The value of a header (case-insensitive name; "" if absent).
std::string HeaderValue(const HttpRequest& request, const std::string& name);

}  // namespace honeyvt::vt
