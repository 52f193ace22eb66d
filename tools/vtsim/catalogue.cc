#include "tools/vtsim/catalogue.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/strings.h"
#include "core/time_spec.h"
#include "tools/vtsim/ids.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;
constexpr std::int64_t kDay = 86400;

Result<std::int64_t> ParseDate(const json& v, std::int64_t now) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) {
    auto t = ParseTimeSpec(v.get<std::string>(), FromUnixSeconds(now));
    if (!t) return t.error();
    return static_cast<std::int64_t>(*t);
  }
  return MakeError(ErrorCode::kCorrupt, "a date must be Unix seconds or an ISO-8601 string");
}

Result<FileKind> ParseKind(const std::string& text) {
  if (text == "pe" || text == "exe") return FileKind::kPe;
  if (text == "elf") return FileKind::kElf;
  if (text == "document" || text == "doc") return FileKind::kDocument;
  if (text == "text") return FileKind::kText;
  return MakeError(ErrorCode::kCorrupt, "type must be pe, elf, document or text, not \"" + text + "\"");
}

// Validates one hash field; empty when absent.
Result<std::string> HashField(const json& j, const char* name, std::size_t len) {
  if (!j.contains(name)) return std::string();
  if (!j[name].is_string() || !IsHex(j[name].get<std::string>(), len)) {
    return MakeError(ErrorCode::kCorrupt, std::string(name) + " must be " + std::to_string(len) +
                                              " hex digits");
  }
  return ToLower(j[name].get<std::string>());
}

Result<Sample> ParseSample(const json& j, const std::string& key_hash, std::int64_t now) {
  if (!j.is_object()) return MakeError(ErrorCode::kCorrupt, "an entry must be a JSON object");
  Sample s;
  ASSIGN_OR_RETURN(s.md5, HashField(j, "md5", 32));
  ASSIGN_OR_RETURN(s.sha1, HashField(j, "sha1", 40));
  ASSIGN_OR_RETURN(s.sha256, HashField(j, "sha256", 64));
  if (!key_hash.empty()) {
    const std::string k = ToLower(key_hash);
    if (IsHex(k, 32) && s.md5.empty()) s.md5 = k;
    else if (IsHex(k, 40) && s.sha1.empty()) s.sha1 = k;
    else if (IsHex(k, 64) && s.sha256.empty()) s.sha256 = k;
    else if (!IsHex(k, 32) && !IsHex(k, 40) && !IsHex(k, 64)) {
      return MakeError(ErrorCode::kCorrupt, "key \"" + key_hash + "\" is not an md5, sha1 or sha256");
    }
  }
  const std::string known = !s.sha256.empty() ? s.sha256 : !s.sha1.empty() ? s.sha1 : s.md5;
  if (known.empty()) return MakeError(ErrorCode::kCorrupt, "an entry needs md5, sha1 or sha256");
  // Missing hashes are synthesised from a known one (documented: they are not real).
  const ContentDigests synth = DigestBytes("vtsim-synthetic:" + known);
  if (s.md5.empty()) s.md5 = synth.md5;
  if (s.sha1.empty()) s.sha1 = synth.sha1;
  if (s.sha256.empty()) s.sha256 = synth.sha256;
  const std::uint64_t seed = Fnv1a(s.sha256);

  s.size = j.value("size", static_cast<std::int64_t>(1024 + seed % 500000));
  if (s.size < 0) return MakeError(ErrorCode::kCorrupt, "size must not be negative");
  if (j.contains("type")) {
    ASSIGN_OR_RETURN(s.kind, ParseKind(j["type"].get<std::string>()));
  }
  s.type_description = j.value("type_description", std::string());
  s.names = j.value("names", std::vector<std::string>{});
  s.tags = j.value("tags", std::vector<std::string>{});
  s.family = j.value("family", std::string());
  s.reputation = j.value("reputation", 0);
  s.times_submitted = j.value("times_submitted", static_cast<int>(1 + seed % 40));
  s.unique_sources = std::min(s.times_submitted, j.value("unique_sources", static_cast<int>(1 + seed % 12)));
  s.first_submission_date = now - static_cast<std::int64_t>(400 + seed % 2000) * kDay;
  s.last_analysis_date = now - static_cast<std::int64_t>(1 + (seed >> 12) % 300) * kDay;
  if (j.contains("first_seen")) { ASSIGN_OR_RETURN(s.first_submission_date, ParseDate(j["first_seen"], now)); }
  if (j.contains("last_analysis_date")) { ASSIGN_OR_RETURN(s.last_analysis_date, ParseDate(j["last_analysis_date"], now)); }
  s.last_analysis_date = std::max(s.last_analysis_date, s.first_submission_date);
  s.last_submission_date = s.last_analysis_date;
  if (j.contains("positives")) s.positives = j["positives"].get<int>();
  if (j.contains("total")) s.total = j["total"].get<int>();
  if (s.positives && *s.positives < 0) return MakeError(ErrorCode::kCorrupt, "positives must not be negative");
  if (j.contains("results")) {
    if (!j["results"].is_object()) return MakeError(ErrorCode::kCorrupt, "results must be an object");
    for (const auto& [engine, r] : j["results"].items()) {
      ExplicitResult er;
      if (r.is_null()) {
        er.category = "undetected";
      } else if (r.is_string()) {
        er.category = "malicious";
        er.result = r.get<std::string>();
      } else if (r.is_object()) {
        er.category = r.value("category", std::string("malicious"));
        if (r.contains("result") && r["result"].is_string()) er.result = r["result"].get<std::string>();
      } else {
        return MakeError(ErrorCode::kCorrupt, "result of " + engine + " must be a string, null or object");
      }
      s.explicit_results[engine] = std::move(er);
    }
  }
  return s;
}

}  // namespace

Sample EicarSample(std::int64_t now) {
  Sample s;
  s.md5 = std::string(kEicarMd5);
  s.sha1 = std::string(kEicarSha1);
  s.sha256 = std::string(kEicarSha256);
  s.size = 68;
  s.kind = FileKind::kText;
  s.type_description = "Text";
  s.names = {"eicar.com", "eicar.com.txt", "eicar.txt"};
  s.tags = {"text", "via-tor", "known-distributor"};
  s.first_submission_date = 1148301722;  // 2006-05-22
  s.last_analysis_date = s.last_submission_date = now - kDay;
  s.times_submitted = 1000000;
  s.unique_sources = 100000;
  s.reputation = 3457;
  s.eicar = true;
  return s;
}

Catalogue::Catalogue(std::int64_t now_unix) : now_(now_unix) { Add(EicarSample(now_unix)); }

void Catalogue::Add(Sample sample) {
  alias_[sample.md5] = sample.sha256;
  alias_[sample.sha1] = sample.sha256;
  const std::string key = sample.sha256;
  by_sha256_[key] = std::move(sample);
}

const Sample* Catalogue::Find(std::string_view hash) const {
  std::string key(hash);
  if (auto a = alias_.find(key); a != alias_.end()) key = a->second;
  auto it = by_sha256_.find(key);
  return it == by_sha256_.end() ? nullptr : &it->second;
}

Sample* Catalogue::FindMutable(std::string_view hash) {
  return const_cast<Sample*>(std::as_const(*this).Find(hash));
}

Status Catalogue::LoadJson(std::string_view text, std::string_view origin) {
  try {
    const json doc = json::parse(text);
    std::vector<std::pair<std::string, const json*>> entries;
    if (doc.is_object() && doc.contains("samples")) {
      if (!doc["samples"].is_array()) {
        return MakeError(ErrorCode::kCorrupt, std::string(origin) + ": \"samples\" must be an array");
      }
      for (const json& e : doc["samples"]) entries.emplace_back("", &e);
    } else if (doc.is_array()) {
      for (const json& e : doc) entries.emplace_back("", &e);
    } else if (doc.is_object()) {
      for (const auto& [k, v] : doc.items()) entries.emplace_back(k, &v);
    } else {
      return MakeError(ErrorCode::kCorrupt, std::string(origin) + ": expected an object or array");
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto s = ParseSample(*entries[i].second, entries[i].first, now_);
      if (!s) {
        return MakeError(ErrorCode::kCorrupt, std::string(origin) + ": entry " + std::to_string(i + 1) +
                                                  ": " + s.error().message);
      }
      Add(std::move(*s));
    }
  } catch (const json::exception& e) {
    return MakeError(ErrorCode::kCorrupt, std::string(origin) + ": " + e.what());
  }
  return OkStatus();
}

Status Catalogue::LoadPath(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return MakeError(ErrorCode::kNotFound, "catalogue " + path.string() + " does not exist");
  }
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kIo, "cannot read catalogue " + f.string());
    std::ostringstream text;
    text << in.rdbuf();
    RETURN_IF_ERROR(LoadJson(text.str(), f.string()));
  }
  return OkStatus();
}

}  // namespace honeyvt::vtsim
