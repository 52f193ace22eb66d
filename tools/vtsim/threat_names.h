#pragma once
// Malware families seen by honeypots and the expansion of an engine's naming template
// (engines.h) into a detection name. Everything is a pure function of its inputs, so the
// same sample always gets the same names.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace honeyvt::vtsim {

struct Family {
  std::string_view name;      // "Allaple"
  std::string_view category;  // "Worm", "Trojan", "Virus", "Backdoor", "Ransom"
  std::string_view kcat;      // Kaspersky-style prefix: "Net-Worm", "Trojan-Ransom", ...
  bool linux = false;         // ELF family (else Win32)
};

std::span<const Family> AllFamilies();
// Case-insensitive lookup; nullptr if unknown.
const Family* FindFamily(std::string_view name);
// A family chosen by `seed` among Linux or Windows families.
const Family& PickFamily(std::uint64_t seed, bool linux);

// Expands `tmpl` for `family`. `seed` varies per sample and engine (letters, numbers);
// `sample_seed` is shared by all engines of one sample ({BD}, the BitDefender-family
// name several engines share).
std::string ExpandName(std::string_view tmpl, const Family& family, std::uint64_t seed,
                       std::uint64_t sample_seed);

}  // namespace honeyvt::vtsim
