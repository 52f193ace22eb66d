#include "vt/factory.h"

#include "vt/clients.h"

namespace honeyvt::vt {

Result<std::unique_ptr<Client>> MakeClient(const Options& options, RequestObserver* observer,
                                           Clock* clock, std::stop_token cancel,
                                           std::function<void()> on_progress) {
  if (options.api_version != 2 && options.api_version != 3) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "api_version must be 2 or 3, not " + std::to_string(options.api_version));
  }
  if (options.api_key.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no VirusTotal API key (set HONEYVT_API_KEY or api_key_file)");
  }
  const std::string base = options.base_url.empty()
                               ? std::string(options.api_version == 2 ? kV2BaseUrl : kV3BaseUrl)
                               : options.base_url;
  if (auto checked = CheckTransportUrl(base); !checked) {
    return MakeError(ErrorCode::kInvalidArgument, "base_url: " + checked.error().message);
  }
  CurlOptions curl;
  curl.ca_bundle = options.ca_bundle;
  curl.proxy = options.proxy;
  curl.connect_timeout = options.connect_timeout;
  curl.total_timeout = options.request_timeout;
  curl.cancel = std::move(cancel);
  curl.on_progress = std::move(on_progress);
  ASSIGN_OR_RETURN(std::unique_ptr<Transport> transport, MakeCurlTransport(curl));
  std::shared_ptr<Transport> shared(std::move(transport));
  if (observer != nullptr && clock != nullptr) {
    shared = std::make_shared<MeteredTransport>(std::move(shared), *observer, options.api_version,
                                                *clock);
  }
  return MakeClient(options, std::move(shared));
}

std::unique_ptr<Client> MakeClient(const Options& options, std::shared_ptr<Transport> transport) {
  if (options.api_version == 2) return MakeV2Client(options, std::move(transport));
  return MakeV3Client(options, std::move(transport));
}

}  // namespace honeyvt::vt
