#include "core/secret.h"

namespace honeyvt {

std::string Redact(std::string_view text, const Secret& secret) {
  std::string out(text);
  const std::string_view key = secret.Reveal();
  if (key.empty()) return out;
  for (std::size_t pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos)) {
    out.replace(pos, key.size(), "<redacted>");
    pos += 10;
  }
  return out;
}

}  // namespace honeyvt
