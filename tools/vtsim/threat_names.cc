#include "tools/vtsim/threat_names.h"

#include <array>
#include <cstdio>

#include "core/strings.h"

namespace honeyvt::vtsim {
namespace {

constexpr std::array kFamilies = {
    Family{"Allaple", "Worm", "Net-Worm", false},
    Family{"Conficker", "Worm", "Net-Worm", false},
    Family{"WannaCry", "Ransom", "Trojan-Ransom", false},
    Family{"Virut", "Virus", "Virus", false},
    Family{"Sality", "Virus", "Virus", false},
    Family{"Rbot", "Backdoor", "Backdoor", false},
    Family{"Ramnit", "Worm", "Worm", false},
    Family{"Parite", "Virus", "Virus", false},
    Family{"Emotet", "Trojan", "Trojan-Banker", false},
    Family{"Zbot", "Trojan", "Trojan-Spy", false},
    Family{"Berbew", "Backdoor", "Backdoor", false},
    Family{"Lovsan", "Worm", "Net-Worm", false},
    Family{"Mirai", "Backdoor", "HEUR:Backdoor", true},
    Family{"Gafgyt", "Backdoor", "HEUR:Backdoor", true},
    Family{"Tsunami", "Backdoor", "Backdoor", true},
    Family{"XorDDoS", "Trojan", "HEUR:Trojan-DDoS", true},
};

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// splitmix64: a small, well-mixed step for deterministic choices.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Letters(std::uint64_t seed, bool upper) {
  const char base = upper ? 'A' : 'a';
  std::string out(1, static_cast<char>(base + seed % 26));
  if ((seed >> 8) % 3 == 0) out += static_cast<char>(base + (seed >> 16) % 26);
  return out;
}

std::string Hex(std::uint64_t seed, int digits, bool upper) {
  std::string out;
  for (int i = 0; i < digits; ++i) {
    out += (upper ? "0123456789ABCDEF" : "0123456789abcdef")[seed & 15];
    seed >>= 4;
  }
  return out;
}

std::string BitDefenderName(const Family& family, std::uint64_t sample_seed) {
  switch (sample_seed % 3) {
    case 0: {
      // Appended: `"literal" + std::string` (or string&& + string&&) may insert at 0,
      // which GCC 12 at -O3 reports as a (false) -Wrestrict overlap.
      std::string name = "Gen:Variant.";
      name += family.name;
      name += '.';
      name += std::to_string(sample_seed % 900 + 1);
      return name;
    }
    case 1:
      return std::string(family.category) + ".Generic" + "KD." +
             std::to_string(40000000 + sample_seed % 9000000);
    default:
      return std::string(family.linux ? "Linux." : "Win32.") + std::string(family.name) + "." +
             Letters(sample_seed >> 4, true);
  }
}

}  // namespace

std::span<const Family> AllFamilies() { return kFamilies; }

const Family* FindFamily(std::string_view name) {
  const std::string wanted = ToLower(name);
  for (const Family& f : kFamilies) {
    if (ToLower(f.name) == wanted) return &f;
  }
  return nullptr;
}

const Family& PickFamily(std::uint64_t seed, bool linux) {
  std::size_t count = 0;
  for (const Family& f : kFamilies) count += f.linux == linux ? 1 : 0;
  std::size_t pick = static_cast<std::size_t>(Mix(seed) % count);
  for (const Family& f : kFamilies) {
    if (f.linux != linux) continue;
    if (pick-- == 0) return f;
  }
  return kFamilies[0];
}

std::string ExpandName(std::string_view tmpl, const Family& family, std::uint64_t seed,
                       std::uint64_t sample_seed) {
  std::string out;
  std::uint64_t state = Mix(seed);
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out += tmpl[i];
      continue;
    }
    const std::size_t close = tmpl.find('}', i);
    if (close == std::string_view::npos) {
      out += tmpl.substr(i);
      break;
    }
    const std::string_view key = tmpl.substr(i + 1, close - i - 1);
    i = close;
    state = Mix(state);
    // One key per line reads as the table it is.
    // clang-format off
    if (key == "Fam") out += family.name;
    else if (key == "FAM") out += ToUpper(family.name);
    else if (key == "fam") out += ToLower(family.name);
    else if (key == "Cat") out += family.category;
    else if (key == "CAT") out += ToUpper(family.category);
    else if (key == "cat") out += ToLower(family.category);
    else if (key == "Kcat") out += family.kcat;
    else if (key == "Plat") out += family.linux ? "Linux" : "Win32";
    else if (key == "plat") out += family.linux ? "linux" : "win32";
    else if (key == "P") out += family.linux ? "ELF" : "W32";
    else if (key == "P2") out += family.linux ? "Unix" : "Win";
    else if (key == "s") out += Letters(state, false);
    else if (key == "S") out += Letters(state, true);
    else if (key == "n") out += std::to_string(state % 9999 + 1);
    else if (key == "h8") out += Hex(state, 8, true);
    else if (key == "h6") out += Hex(state, 6, false);
    else if (key == "score") out += std::to_string(70 + state % 31);
    else if (key == "BD") out += BitDefenderName(family, sample_seed);
    else out.append(1, '{').append(key).append(1, '}');
    // clang-format on
  }
  return out;
}

}  // namespace honeyvt::vtsim
