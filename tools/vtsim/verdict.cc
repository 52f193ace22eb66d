#include "tools/vtsim/verdict.h"

#include <algorithm>

#include "core/digest.h"
#include "tools/vtsim/engines.h"
#include "tools/vtsim/ids.h"
#include "tools/vtsim/threat_names.h"

namespace honeyvt::vtsim {
namespace {

constexpr std::int64_t kDay = 86400;

std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool Eligible(const Engine& e, const Sample& s) {
  switch (e.scope) {
    case EngineScope::kAll: return true;
    case EngineScope::kPeOnly: return s.kind == FileKind::kPe;
    case EngineScope::kMobileOnly: return false;
  }
  return false;
}

// Number of malicious verdicts when the profile does not say.
int DerivedPositives(std::uint64_t seed, int eligible) {
  const std::uint64_t bucket = seed % 100;
  if (bucket < 15) return 0;
  if (bucket < 25) return static_cast<int>(1 + (seed >> 8) % 4);
  const double share = 0.40 + static_cast<double>((seed >> 16) % 46) / 100.0;
  return static_cast<int>(share * eligible);
}

EngineVerdict Base(const Engine& e, std::uint64_t seed, std::int64_t date) {
  EngineVerdict v;
  v.key = std::string(e.key);
  v.engine_name = std::string(e.engine_name);
  if (!e.version.empty()) v.version = std::string(e.version);
  v.update = FormatYmd(date - static_cast<std::int64_t>(Mix(seed ^ Fnv1a(e.key)) % 3) * kDay);
  return v;
}

}  // namespace

FileKind SniffKind(std::string_view content) {
  if (content.starts_with("MZ")) return FileKind::kPe;
  if (content.starts_with("\x7f" "ELF")) return FileKind::kElf;
  if (content.starts_with("\xd0\xcf\x11\xe0") || content.starts_with("%PDF") ||
      content.starts_with("PK\x03\x04")) {
    return FileKind::kDocument;
  }
  return FileKind::kText;
}

TypeInfo TypeFor(const Sample& s) {
  TypeInfo t;
  switch (s.kind) {
    case FileKind::kPe:
      t = {"Win32 EXE", "peexe", "exe", "PE32 executable (GUI) Intel 80386, for MS Windows",
           {"executable", "windows", "win32", "pe", "peexe"}};
      break;
    case FileKind::kElf:
      t = {"ELF", "elf", "", "ELF 32-bit LSB executable, ARM, EABI5 version 1 (SYSV), statically linked, stripped",
           {"executable", "linux", "elf"}};
      break;
    case FileKind::kDocument:
      t = {"MS Word Document", "doc", "doc", "CDF V2 Document, Little Endian, Os: Windows",
           {"document", "msoffice", "word", "doc"}};
      break;
    case FileKind::kText:
      t = {"Text", "text", "txt", "ASCII text, with no line terminators", {"text"}};
      break;
  }
  if (!s.type_description.empty()) t.description = s.type_description;
  return t;
}

std::string EffectiveFamily(const Sample& s) {
  if (s.eicar) return "EICAR";
  if (!s.family.empty()) return s.family;
  return std::string(PickFamily(Fnv1a(s.sha256), s.kind == FileKind::kElf).name);
}

std::vector<EngineVerdict> GenerateResults(const Sample& s, std::int64_t date) {
  const std::uint64_t seed = Fnv1a(s.sha256);
  std::vector<EngineVerdict> out;
  auto engines = AllEngines();
  if (s.total && *s.total >= 0 && static_cast<std::size_t>(*s.total) < engines.size()) {
    engines = engines.first(static_cast<std::size_t>(*s.total));
  }

  if (!s.explicit_results.empty()) {
    for (const auto& [key, r] : s.explicit_results) {
      const Engine* e = FindEngine(key);
      EngineVerdict v = e ? Base(*e, seed, date) : EngineVerdict{key, key, "1.0", FormatYmd(date), "", std::nullopt};
      v.category = r.category;
      v.result = r.result;
      out.push_back(std::move(v));
    }
    return out;
  }

  // Rank the engines that can judge this file; the first `positives` detect it.
  std::vector<const Engine*> eligible;
  for (const Engine& e : engines) {
    if (Eligible(e, s)) eligible.push_back(&e);
  }
  std::vector<const Engine*> ranked = eligible;
  std::sort(ranked.begin(), ranked.end(), [&](const Engine* a, const Engine* b) {
    return Mix(seed ^ Fnv1a(a->key)) < Mix(seed ^ Fnv1a(b->key));
  });
  const int n_eligible = static_cast<int>(eligible.size());
  int positives = s.positives.value_or(s.eicar ? n_eligible - 5 : DerivedPositives(seed, n_eligible));
  positives = std::clamp(positives, 0, n_eligible);

  const Family* family = FindFamily(s.family);
  const Family& fam = family ? *family : PickFamily(seed, s.kind == FileKind::kElf);
  const Family custom{s.family, "Trojan", "Trojan", s.kind == FileKind::kElf};
  const Family& used = (family || s.family.empty()) ? fam : custom;

  for (const Engine& e : engines) {
    EngineVerdict v = Base(e, seed, date);
    const auto rank = std::find(ranked.begin(), ranked.end(), &e) - ranked.begin();
    if (!Eligible(e, s)) {
      v.category = "type-unsupported";
    } else if (rank < positives) {
      v.category = "malicious";
      if (s.eicar) {
        v.result = e.eicar_name.empty() ? "EICAR-Test-File (not a virus)" : std::string(e.eicar_name);
      } else {
        v.result = ExpandName(e.name_template, used, seed ^ Fnv1a(e.key), seed);
      }
    } else {
      v.category = "undetected";
    }
    out.push_back(std::move(v));
  }
  return out;
}

Stats CountStats(const std::vector<EngineVerdict>& results) {
  Stats st;
  for (const EngineVerdict& v : results) {
    if (v.category == "harmless") ++st.harmless;
    else if (v.category == "malicious") ++st.malicious;
    else if (v.category == "suspicious") ++st.suspicious;
    else if (v.category == "undetected") ++st.undetected;
    else if (v.category == "timeout") ++st.timeout;
    else if (v.category == "confirmed-timeout") ++st.confirmed_timeout;
    else if (v.category == "failure") ++st.failure;
    else if (v.category == "type-unsupported") ++st.type_unsupported;
  }
  return st;
}

Sample SampleForUpload(std::string_view content, std::string_view filename,
                       std::int64_t now_unix) {
  const ContentDigests d = DigestBytes(content);
  Sample s;
  s.md5 = d.md5;
  s.sha1 = d.sha1;
  s.sha256 = d.sha256;
  s.size = d.size;
  s.kind = SniffKind(content);
  if (!filename.empty()) s.names.emplace_back(filename);
  s.first_submission_date = s.last_submission_date = s.last_analysis_date = now_unix;
  return s;
}

}  // namespace honeyvt::vtsim
