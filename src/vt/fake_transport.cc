#include "vt/fake_transport.h"

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

std::string FormValue(const HttpRequest& request, const std::string& name) {
  for (const FormField& f : request.form) {
    if (f.name == name) return f.file.empty() ? f.value : f.file.string();
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
