#include "ingest/vtcache_import.h"

#include <unordered_set>
#include <vector>

#include "core/strings.h"
#include "ingest/sample_file.h"

namespace honeyvt::ingest {

std::optional<SampleIntent> IntentForVtcacheStatus(std::string_view status) {
  if (status == "new" || status == "new-" || status == "submit" || status == "submit-") {
    return SampleIntent{true, true, std::nullopt};
  }
  if (status == "comment") return SampleIntent{false, true, std::nullopt};
  if (status == "comment-" || status == "query" || status == "query-") {
    return SampleIntent{false, false, std::nullopt};
  }
  return std::nullopt;
}

bool IsUsefulScanId(std::string_view scan_id) {
  if (scan_id.size() < 66 || scan_id[64] != '-') return false;
  const std::string_view epoch = scan_id.substr(65);
  return IsHex(scan_id.substr(0, 64), 64) && epoch.size() <= 12 &&
         epoch.find_first_not_of("0123456789") == std::string_view::npos;
}

namespace {

Result<std::unordered_set<std::string>> ReportedMd5s(store::Database* logsql) {
  std::unordered_set<std::string> out;
  if (logsql == nullptr || !logsql->TableExists("virustotals")) return out;
  ASSIGN_OR_RETURN(store::Statement st,
                   logsql->Prepare("SELECT DISTINCT lower(virustotal_md5_hash) FROM virustotals"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.insert(st.Text(0));
  }
  return out;
}

}  // namespace

Result<VtcacheImportSummary> ImportVtcache(const std::filesystem::path& vtcache,
                                           store::Database* logsql,
                                           const std::filesystem::path& binaries,
                                           SampleSink& sink) {
  ASSIGN_OR_RETURN(store::Database db,
                   store::Database::Open(vtcache, {.mode = store::OpenMode::kReadOnly}));
  if (!db.TableExists("backlogfiles")) {
    return MakeError(ErrorCode::kCorrupt,
                     vtcache.string() + ": no backlogfiles table (not a dionaea vtcache.sqlite)");
  }
  ASSIGN_OR_RETURN(auto reported, ReportedMd5s(logsql));
  ASSIGN_OR_RETURN(
      store::Statement st,
      db.Prepare(
          "SELECT status, md5_hash, scan_id, timestamp FROM backlogfiles ORDER BY backlogfile"));
  VtcacheImportSummary summary;
  std::vector<SampleCandidate> candidates;
  std::map<std::string, std::size_t> index;  // md5 -> position in candidates
  std::unordered_set<std::string> skipped_reported;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ++summary.rows;
    const std::string status = Printable(st.TextView(0));
    ++summary.rows_by_status[status];
    auto intent = IntentForVtcacheStatus(st.TextView(0));
    auto md5 = domain::Hash::Parse(st.TextView(1), domain::HashKind::kMd5);
    if (!intent || !md5) {
      ++summary.invalid;
      continue;
    }
    if (reported.contains(md5->hex())) {
      if (skipped_reported.insert(md5->hex()).second)
        ++summary.already_reported;
      else
        ++summary.duplicates;
      continue;
    }
    if (!intent->may_upload && !st.IsNull(2) && IsUsefulScanId(st.TextView(2))) {
      intent->scan_id = ToLower(st.TextView(2));
    }
    auto [it, added] = index.try_emplace(md5->hex(), candidates.size());
    if (!added) {
      ++summary.duplicates;
      SampleIntent& merged = candidates[it->second].intent;
      merged.may_upload = merged.may_upload && intent->may_upload;
      merged.may_comment = merged.may_comment && intent->may_comment;
      if (intent->scan_id) merged.scan_id = intent->scan_id;
      continue;
    }
    SampleCandidate c(*md5);
    c.source = "dionaea-vtcache:" + status;
    c.intent = *intent;
    const auto t = st.Type(3);
    if (t == store::ColumnType::kInteger || t == store::ColumnType::kFloat) {
      c.seen_at = FromUnixSeconds(st.Double(3));
    }
    candidates.push_back(std::move(c));
  }
  auto canonical_root = CanonicalRoot(binaries);
  for (auto& c : candidates) {
    if (auto path = ResolveInside(binaries, SamplePath(binaries, c.md5))) {
      c.file_path = path->string();
      c.root = canonical_root ? canonical_root->string() : std::string();
      ++summary.with_file;
    } else {
      ++summary.hash_only;
    }
    summary.no_upload += c.intent.may_upload ? 0 : 1;
    summary.no_comment += c.intent.may_comment ? 0 : 1;
    summary.scan_ids_kept += c.intent.scan_id ? 1 : 0;
  }
  summary.imported = static_cast<std::int64_t>(candidates.size());
  if (!candidates.empty()) {
    ASSIGN_OR_RETURN(summary.offers, sink.OfferBatch(candidates));
  }
  return summary;
}

}  // namespace honeyvt::ingest
