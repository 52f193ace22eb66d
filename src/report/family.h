#pragma once
// Family labels from antivirus detection names by token vote (AVClass-style).
//
// Each vendor's name for a sample is split on every non-alphanumeric character and
// lowercased; trailing digits are cut ("downloader1" -> "downloader"); then tokens are
// dropped when they are generic (a curated list: platforms, categories, heuristics,
// vendor-specific generic detections — see kGenericTokens in family.cc), shorter than 4
// characters, or hex-looking (only 0-9a-f with at least one digit). A few well-known
// aliases map to one name (kido, downadup -> conficker; palevo, pilleuz -> rimecud).
// Every remaining distinct token of one name is one vote. The label is the token with
// the most votes; ties go to the alphabetically smallest token. When no token has at
// least 2 votes (fewer than two vendors agree) the label is kSingleton.
//
// FamilyLabeler caches the tokens of every distinct name, so labelling millions of scan
// rows costs one split per distinct name. Not thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace honeyvt::report {

inline constexpr std::string_view kSingleton = "SINGLETON";

struct FamilyLabel {
  std::string family;  // a token, or kSingleton
  int votes = 0;       // votes of the winning token (0 or 1 for a singleton)
};

// The family tokens of one detection name, in order of appearance, without duplicates.
std::vector<std::string> FamilyTokens(std::string_view name);
bool IsGenericToken(std::string_view token);

class FamilyLabeler {
 public:
  // Collects votes for one sample.
  class Ballot {
   public:
    void Add(const std::vector<std::uint32_t>& tokens);
    bool empty() const { return votes_.empty(); }

   private:
    friend class FamilyLabeler;
    std::vector<std::pair<std::uint32_t, int>> votes_;  // token id, votes
  };

  // Token ids of a name (cached).
  const std::vector<std::uint32_t>& Tokens(std::string_view name);
  FamilyLabel Decide(const Ballot& ballot) const;
  // Convenience: label one sample from its vendors' names (NULL results left out).
  FamilyLabel Label(const std::vector<std::string>& names);

 private:
  std::uint32_t Intern(const std::string& token);
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<std::uint32_t>, Hash, std::equal_to<>> names_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> tokens_;
};

}  // namespace honeyvt::report
