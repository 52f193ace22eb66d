#include "ingest/backlog.h"

#include <algorithm>

#include "ingest/sample_file.h"

namespace honeyvt::ingest {
namespace fs = std::filesystem;

Result<std::vector<BacklogEntry>> QueryBacklog(store::Database& logsql) {
  if (!logsql.TableExists("downloads")) {
    return MakeError(ErrorCode::kCorrupt,
                     logsql.path().string() + ": no downloads table (not a dionaea logsql file)");
  }
  // dionaea writes lowercase md5s; lower() makes hand-edited or hostile case variants one
  // sample. The NOT IN subquery is materialised once (an ephemeral index), not per row.
  const bool has_vt = logsql.TableExists("virustotals");
  ASSIGN_OR_RETURN(
      store::Statement st,
      logsql.Prepare(
          has_vt ? "SELECT lower(d.download_md5_hash) AS md5, count(*) AS n,"
                   " max(c.connection_timestamp), min(d.download) AS first"
                   " FROM downloads d LEFT JOIN connections c ON c.connection = d.connection"
                   " WHERE lower(d.download_md5_hash) NOT IN"
                   "  (SELECT lower(virustotal_md5_hash) FROM virustotals)"
                   " GROUP BY md5 ORDER BY n DESC, first ASC"
                 : "SELECT lower(d.download_md5_hash) AS md5, count(*) AS n,"
                   " max(c.connection_timestamp), min(d.download) AS first"
                   " FROM downloads d LEFT JOIN connections c ON c.connection = d.connection"
                   " GROUP BY md5 ORDER BY n DESC, first ASC"));
  std::vector<BacklogEntry> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    BacklogEntry e{st.Text(0), st.Int64(1), 0};
    const auto t = st.Type(2);
    if (t == store::ColumnType::kInteger || t == store::ColumnType::kFloat)
      e.last_seen = st.Double(2);
    out.push_back(std::move(e));
  }
  return out;
}

Result<BacklogSummary> EnqueueBacklog(store::Database& logsql,
                                      const std::filesystem::path& binaries, SampleSink& sink,
                                      const ProgressFn& progress, std::size_t batch_size) {
  ASSIGN_OR_RETURN(std::vector<BacklogEntry> entries, QueryBacklog(logsql));
  BacklogSummary summary;
  std::vector<SampleCandidate> candidates;
  candidates.reserve(entries.size());
  // The folder recorded with each file (no file is looked at if it does not exist).
  auto canonical_root = CanonicalRoot(binaries);
  const std::string root = canonical_root ? canonical_root->string() : std::string();
  for (const auto& e : entries) {
    auto md5 = domain::Hash::Parse(e.md5_text, domain::HashKind::kMd5);
    if (!md5) {
      ++summary.invalid;
      continue;
    }
    SampleCandidate c(*md5);
    c.source = "backlog";
    c.downloads = e.downloads;
    c.seen_at = FromUnixSeconds(e.last_seen);
    // A cheap existence check first: most backlog samples of an old honeypot are gone.
    const auto candidate_path = SamplePath(binaries, *md5);
    std::error_code ec;
    auto path = fs::symlink_status(candidate_path, ec).type() == fs::file_type::not_found
                    ? Result<fs::path>(MakeError(ErrorCode::kNotFound, "no file"))
                    : ResolveInside(binaries, candidate_path);
    if (path) {
      c.file_path = path->string();
      c.root = root;
      ++summary.with_file;
    } else {
      ++summary.hash_only;
    }
    summary.downloads += e.downloads;
    candidates.push_back(std::move(c));
  }
  summary.samples = static_cast<std::int64_t>(candidates.size());
  batch_size = std::max<std::size_t>(batch_size, 1);
  std::span<const SampleCandidate> all(candidates);
  for (std::size_t i = 0; i < all.size(); i += batch_size) {
    auto batch = all.subspan(i, std::min(batch_size, all.size() - i));
    ASSIGN_OR_RETURN(OfferCounts counts, sink.OfferBatch(batch));
    summary.offers.added += counts.added;
    summary.offers.updated += counts.updated;
    summary.offers.known += counts.known;
    if (progress) progress(static_cast<std::int64_t>(i + batch.size()), summary.samples);
  }
  if (progress && all.empty()) progress(0, 0);
  return summary;
}

}  // namespace honeyvt::ingest
