#pragma once
// A Transport decorator that reports every exchange to a RequestObserver: which API
// (v2/v3), which endpoint (from the URL path, a bounded name), the HTTP status or
// "network", the duration and the upload size. It never sees or reports the API key, a
// hash or a URL. The pipeline's observer records them for /metrics and the dashboard's
// quota page (pipeline/journal.h).

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "vt/transport.h"

namespace honeyvt::vt {

struct RequestRecord {
  TimePoint at{};  // when the answer (or the failure) came
  int api = 3;
  std::string endpoint;  // file_report, batch_report, upload, upload_url, analysis, comment,
                         // rescan, other
  std::string code;      // "200", "204", "429", ... or "network"
  std::chrono::milliseconds duration{0};
  std::int64_t upload_bytes = 0;
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // Called on the thread that made the request, after it finished. Must not throw.
  virtual void OnRequest(const RequestRecord& record) = 0;
};

// The bounded endpoint name of a VirusTotal URL (v3 paths, v2 file/report etc.). A v2
// file/report with several comma-separated resources is "batch_report".
std::string EndpointOf(const HttpRequest& request, int api);

class MeteredTransport final : public Transport {
 public:
  MeteredTransport(std::shared_ptr<Transport> inner, RequestObserver& observer, int api,
                   Clock& clock)
      : inner_(std::move(inner)), observer_(observer), api_(api), clock_(clock) {}
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  std::shared_ptr<Transport> inner_;
  RequestObserver& observer_;
  int api_;
  Clock& clock_;
};

}  // namespace honeyvt::vt
