#pragma once
// A value that must never be printed: the VirusTotal API key. It has no stream operator
// and no implicit conversion; code that needs the bytes (the HTTP header) calls Reveal().
// Redact() scrubs a secret out of text that may have echoed it (server error messages
// such as "Wrong API key: <key>").

#include <string>
#include <string_view>

namespace honeyvt {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  bool empty() const { return value_.empty(); }
  std::string_view Reveal() const { return value_; }

 private:
  std::string value_;
};

// Replaces every occurrence of the secret in `text` with "<redacted>".
std::string Redact(std::string_view text, const Secret& secret);

}  // namespace honeyvt
