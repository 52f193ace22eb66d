#pragma once
// Which hosts may be reached over plain http (the API key travels in clear there): a
// loopback address, decided from the host as the URL parser split it off, never by a
// prefix of the URL text.
//
// True only for
//   - an IPv4 literal in dotted-quad form inside 127.0.0.0/8 ("127.0.0.1", "127.9.8.7");
//   - the IPv6 literal ::1 in brackets, in any spelling ("[::1]", "[0:0:0:0:0:0:0:1]");
//   - the name "localhost" (any case; not "localhost." nor "x.localhost").
// Everything else is false: names that merely start with "127." or "localhost"
// ("127.evil.test", "localhost.evil.test"), trailing dots, IPv4-mapped or -compatible
// IPv6 forms ("[::ffff:127.0.0.1]": loopback in effect, but refused to keep the rule
// small), zone ids, percent-encoded text, empty hosts.

#include <string_view>

namespace honeyvt::vt {

bool IsLoopbackHost(std::string_view host);

}  // namespace honeyvt::vt
