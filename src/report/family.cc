#include "report/family.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace honeyvt::report {
namespace {

// Tokens that say what kind of thing a file is, how it was found or which platform it
// runs on, but not which family it belongs to.
constexpr std::string_view kGenericTokens[] = {
    "adware",
    "agent",
    "application",
    "artemis",
    "attribute",
    "autoit",
    "autorun",
    "backdoor",
    "banker",
    "barys",
    "behaveslike",
    "bkdr",
    "bloodhound",
    "bulz",
    "bundle",
    "bundler",
    "casdet",
    "clicker",
    "cloud",
    "confidence",
    "corrupt",
    "crypt",
    "cryptor",
    "damaged",
    "dangerous",
    "deepscan",
    "detected",
    "dldr",
    "downldr",
    "downloader",
    "dropper",
    "eldorado",
    "email",
    "exploit",
    "file",
    "fuerboos",
    "gen",
    "generic",
    "genetic",
    "generik",
    "genome",
    "genpack",
    "graftor",
    "hacktool",
    "heur",
    "heuristic",
    "heuristics",
    "high",
    "highconfidence",
    "html",
    "infected",
    "inject",
    "injector",
    "jaik",
    "kazy",
    "kcloud",
    "krypt",
    "linux",
    "lookslike",
    "lowfi",
    "malicious",
    "malpack",
    "malware",
    "malwarex",
    "mikey",
    "moderate",
    "msil",
    "multi",
    "network",
    "nsis",
    "obfus",
    "obfuscated",
    "other",
    "packed",
    "packer",
    "password",
    "patched",
    "possible",
    "probably",
    "program",
    "psw",
    "ransom",
    "razy",
    "reputation",
    "riskware",
    "rootkit",
    "runtime",
    "score",
    "script",
    "shellcode",
    "skeeyah",
    "small",
    "sonar",
    "spyware",
    "static",
    "stealer",
    "strictor",
    "susp",
    "suspect",
    "suspicious",
    "symmi",
    "threat",
    "tiggre",
    "tool",
    "trojan",
    "trojandownloader",
    "trojandropper",
    "trojanhorse",
    "trojanpsw",
    "trojanspy",
    "trojware",
    "troj",
    "tsgeneric",
    "unknown",
    "unsafe",
    "upack",
    "ursu",
    "variant",
    "vbscript",
    "virtool",
    "virus",
    "wacatac",
    "win",
    "win32",
    "win64",
    "windows",
    "worm",
    "zusy",
    "ai",
    "ml",
    "pua",
    "pup",
    "w32",
    "w64",
    "tr",
    "trj",
    "bot",
    "irc",
    "net",
    "spy",
    "vho",
    "js",
    "vbs",
};

constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kAliases = {{
    {"downadup", "conficker"},
    {"kido", "conficker"},
    {"palevo", "rimecud"},
    {"pilleuz", "rimecud"},
}};

bool IsHexLooking(std::string_view token) {
  bool digit = false;
  for (char c : token) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (c < 'a' || c > 'f') {
      return false;
    }
  }
  return digit;
}

}  // namespace

bool IsGenericToken(std::string_view token) {
  // The short ones at the end are below the length cut anyway; listed for completeness.
  return std::find(std::begin(kGenericTokens), std::end(kGenericTokens), token) !=
         std::end(kGenericTokens);
}

std::vector<std::string> FamilyTokens(std::string_view name) {
  std::vector<std::string> out;
  std::string token;
  auto flush = [&] {
    std::string raw = token;
    token.clear();
    if (raw.empty() || IsHexLooking(raw)) return;
    while (!raw.empty() && std::isdigit(static_cast<unsigned char>(raw.back()))) raw.pop_back();
    if (raw.size() < 4 || IsGenericToken(raw)) return;
    for (const auto& [alias, family] : kAliases) {
      if (raw == alias) raw = family;
    }
    if (std::find(out.begin(), out.end(), raw) == out.end()) out.push_back(std::move(raw));
  };
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u)) {
      token += static_cast<char>(std::tolower(u));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::uint32_t FamilyLabeler::Intern(const std::string& token) {
  auto it = ids_.find(token);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(tokens_.size());
  tokens_.push_back(token);
  ids_.emplace(token, id);
  return id;
}

const std::vector<std::uint32_t>& FamilyLabeler::Tokens(std::string_view name) {
  auto it = names_.find(name);
  if (it != names_.end()) return it->second;
  std::vector<std::uint32_t> ids;
  for (const std::string& token : FamilyTokens(name)) ids.push_back(Intern(token));
  return names_.emplace(std::string(name), std::move(ids)).first->second;
}

void FamilyLabeler::Ballot::Add(const std::vector<std::uint32_t>& tokens) {
  for (std::uint32_t id : tokens) {
    auto it =
        std::find_if(votes_.begin(), votes_.end(), [id](const auto& v) { return v.first == id; });
    if (it == votes_.end()) {
      votes_.emplace_back(id, 1);
    } else {
      ++it->second;
    }
  }
}

FamilyLabel FamilyLabeler::Decide(const Ballot& ballot) const {
  const std::string* best = nullptr;
  int best_votes = 0;
  for (const auto& [id, votes] : ballot.votes_) {
    const std::string& token = tokens_[id];
    if (votes > best_votes || (votes == best_votes && token < *best)) {
      best = &token;
      best_votes = votes;
    }
  }
  if (best == nullptr || best_votes < 2) return {std::string(kSingleton), best_votes};
  return {*best, best_votes};
}

FamilyLabel FamilyLabeler::Label(const std::vector<std::string>& names) {
  Ballot ballot;
  for (const std::string& name : names) ballot.Add(Tokens(name));
  return Decide(ballot);
}

}  // namespace honeyvt::report
