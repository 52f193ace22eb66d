#include "domain/hash.h"

#include "core/strings.h"

namespace honeyvt::domain {

std::string_view HashKindName(HashKind kind) {
  switch (kind) {
    case HashKind::kMd5: return "md5";
    case HashKind::kSha1: return "sha1";
    case HashKind::kSha256: return "sha256";
  }
  return "?";
}

Result<Hash> Hash::Parse(std::string_view text) {
  for (auto [kind, len] : {std::pair{HashKind::kMd5, 32}, std::pair{HashKind::kSha1, 40},
                           std::pair{HashKind::kSha256, 64}}) {
    if (IsHex(text, static_cast<std::size_t>(len))) return Hash(kind, ToLower(text));
  }
  std::string shown(text.substr(0, 80));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "not an md5, sha1 or sha256 hex digest: '" + shown + "'");
}

Result<Hash> Hash::Parse(std::string_view text, HashKind kind) {
  ASSIGN_OR_RETURN(Hash h, Parse(text));
  if (h.kind() != kind) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected a " + std::string(HashKindName(kind)) + " digest");
  }
  return h;
}

}  // namespace honeyvt::domain
