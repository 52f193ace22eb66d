#pragma once
// Builds the VirusTotal Client the configuration asks for: options.api_version 3 (default)
// or 2, options.base_url (empty = VirusTotal's own for the version), options.api_key.
//
// MakeClient(options) uses the libcurl transport with options.ca_bundle, options.proxy,
// options.connect_timeout and options.request_timeout (total per request). It fails with
// kInvalidArgument for an api_version other than 2 or 3, a base URL that is not https
// (plain http is allowed to loopback only), or an empty API key.
// MakeClient(options, transport) injects a transport (tests, simulators) and never fails
// (api_version 2 selects v2, anything else v3).

#include <functional>
#include <memory>
#include <stop_token>

#include "core/clock.h"
#include "core/options.h"
#include "core/result.h"
#include "vt/client.h"
#include "vt/metered_transport.h"
#include "vt/transport.h"

namespace honeyvt::vt {

// With an observer (and the clock it stamps records with), every request is also reported
// to it (vt/metered_transport.h). `cancel` abandons the request in flight when requested
// (the request fails with kCancelled); `on_progress` is called about once a second while a
// transfer runs.
Result<std::unique_ptr<Client>> MakeClient(const Options& options,
                                           RequestObserver* observer = nullptr,
                                           Clock* clock = nullptr, std::stop_token cancel = {},
                                           std::function<void()> on_progress = {});
std::unique_ptr<Client> MakeClient(const Options& options, std::shared_ptr<Transport> transport);

}  // namespace honeyvt::vt
