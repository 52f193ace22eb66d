#pragma once
// Sample identifiers. A hash is validated (hex of the right length) and lower-cased once,
// at the edge, so every later use (SQL, file paths, URLs) can trust it. Strings from
// dionaea's database and from file names are attacker-controlled; never build a path or
// URL from one that has not passed ParseHash.

#include <string>
#include <string_view>

#include "core/result.h"

namespace honeyvt::domain {

enum class HashKind { kMd5, kSha1, kSha256 };

std::string_view HashKindName(HashKind kind);

class Hash {
 public:
  // Accepts 32/40/64 hex digits in any case; anything else is kInvalidArgument.
  static Result<Hash> Parse(std::string_view text);
  // Like Parse but requires the given kind.
  static Result<Hash> Parse(std::string_view text, HashKind kind);

  HashKind kind() const { return kind_; }
  const std::string& hex() const { return hex_; }  // lowercase
  bool operator==(const Hash&) const = default;

 private:
  Hash(HashKind kind, std::string hex) : kind_(kind), hex_(std::move(hex)) {}
  HashKind kind_;
  std::string hex_;
};

// All three digests of one file's content.
struct Digests {
  std::string md5;     // lowercase hex
  std::string sha1;
  std::string sha256;
};

}  // namespace honeyvt::domain
