#include "vt/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "core/strings.h"

namespace honeyvt::vt {

bool IsLoopbackHost(std::string_view host) {
  if (host.empty() || host.size() > 64) return false;
  if (ToLower(host) == "localhost") return true;
  if (host.front() == '[') {
    if (host.back() != ']') return false;
    const std::string inner(host.substr(1, host.size() - 2));
    in6_addr a6{};
    return inet_pton(AF_INET6, inner.c_str(), &a6) == 1 &&
           std::memcmp(&a6, &in6addr_loopback, sizeof a6) == 0;
  }
  // inet_pton accepts exactly four decimal parts ("127.1", "0x7f.0.0.1" and trailing
  // dots are refused), so the first byte decides.
  const std::string text(host);
  in_addr a4{};
  if (inet_pton(AF_INET, text.c_str(), &a4) != 1) return false;
  return (ntohl(a4.s_addr) >> 24) == 127;
}

}  // namespace honeyvt::vt
