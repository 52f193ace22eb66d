#pragma once
// The simulated antivirus engines: VirusTotal's results keys, engine names and versions as
// seen in recorded 2020-2024 responses, which file types each engine scans, and a naming
// template for its detection names. The table is static and ordered like VirusTotal's
// replies; it is the single source of engines for generated verdicts.
//
// Naming template placeholders (expanded by threat_names.h):
//   {Fam} {FAM} {fam}   family name as written, upper, lower      ("Allaple")
//   {Cat} {CAT} {cat}   category word                            ("Worm")
//   {Kcat}              Kaspersky-style category prefix           ("Net-Worm")
//   {Plat} {plat} {P}   platform ("Win32"/"Linux"), lower, short ("W32"/"ELF")
//   {s} {S}             one or two letters, lower / upper case
//   {n}                 a number 1..9999   {h8} 8 upper hex digits   {h6} 6 lower hex
//   {score}             a number 70..100   {BD} the sample's BitDefender-family name

#include <span>
#include <string_view>

namespace honeyvt::vtsim {

enum class EngineScope {
  kAll,         // scans every file type
  kPeOnly,      // machine-learning engines that only judge Windows executables
  kMobileOnly,  // Android engines: type-unsupported for everything the sim serves
};

struct Engine {
  std::string_view key;          // results-map key
  std::string_view engine_name;  // v3 engine_name (differs from key for a few engines)
  std::string_view version;      // empty = JSON null
  EngineScope scope;
  std::string_view name_template;
  std::string_view eicar_name;   // detection name for the EICAR test file; empty = generic
};

std::span<const Engine> AllEngines();
// nullptr if no engine has this key.
const Engine* FindEngine(std::string_view key);

}  // namespace honeyvt::vtsim
