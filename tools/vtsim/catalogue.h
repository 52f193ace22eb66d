#pragma once
// The set of files the simulator "knows", indexed by md5, sha1 and sha256. Loaded from a
// JSON file or a directory of *.json files (format in docs/vtsim.md); the EICAR test file
// is always present. Samples uploaded to the simulator are added when their analysis
// completes. Not thread-safe: the owner (Simulator) serialises access.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tools/vtsim/sample.h"

namespace honeyvt::vtsim {

inline constexpr std::string_view kEicarMd5 = "44d88612fea8a8f36de82e1278abb02f";
inline constexpr std::string_view kEicarSha1 = "3395856ce81f2b7382dee72602f798b642f14140";
inline constexpr std::string_view kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

class Catalogue {
 public:
  // A catalogue holding only EICAR.
  explicit Catalogue(std::int64_t now_unix);

  // Adds the samples of a JSON file or of every *.json file in a directory (sorted by
  // name). kNotFound / kIo for unreadable paths, kCorrupt naming the file and the entry
  // for malformed JSON or entries.
  Status LoadPath(const std::filesystem::path& path);
  // Parses catalogue JSON text; `origin` names it in error messages.
  Status LoadJson(std::string_view text, std::string_view origin);

  // Inserts or replaces (by sha256).
  void Add(Sample sample);
  // Lookup by md5, sha1 or sha256 (lowercase hex); nullptr when unknown.
  const Sample* Find(std::string_view hash) const;
  Sample* FindMutable(std::string_view hash);
  std::size_t size() const { return by_sha256_.size(); }

 private:
  std::int64_t now_;
  std::map<std::string, Sample> by_sha256_;
  std::map<std::string, std::string> alias_;  // md5/sha1 -> sha256
};

Sample EicarSample(std::int64_t now_unix);

}  // namespace honeyvt::vtsim
