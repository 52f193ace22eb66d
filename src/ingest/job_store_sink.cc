#include "ingest/job_store_sink.h"

#include <algorithm>

namespace honeyvt::ingest {

int PriorityOf(const SampleCandidate& c) {
  if (c.live) return kLivePriority;
  return static_cast<int>(std::clamp<std::int64_t>(c.downloads, 1, kLivePriority - 1));
}

domain::EnqueueItem ToEnqueueItem(const SampleCandidate& c) {
  domain::EnqueueItem item;
  item.md5 = c.md5.hex();
  if (c.sha1) item.sha1 = c.sha1->hex();
  if (c.sha256) item.sha256 = c.sha256->hex();
  // A sample VirusTotal already has (or may have) from an earlier upload is queued
  // hash-only, and its restrictions go into the job (may_upload, may_comment), where the
  // pipeline checks them at the moment of an upload or a comment.
  if (c.file_path && c.intent.may_upload) {
    item.path = *c.file_path;
    item.size = c.size;
  }
  if (c.file_path) item.root = c.root;  // its folder's policy applies either way
  item.source = c.source;
  item.priority = PriorityOf(c);
  // Recorded in the job: they hold whatever path the sample arrives by later.
  item.may_upload = c.intent.may_upload;
  item.may_comment = c.intent.may_comment;
  return item;
}

Status RecordIntent(store::Database& db, const domain::Hash& md5, const SampleIntent& intent,
                    std::string_view origin) {
  RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS honeyvt_ingest_intent ("
              " md5 TEXT PRIMARY KEY, may_upload INTEGER NOT NULL, may_comment INTEGER NOT NULL,"
              " scan_id TEXT, origin TEXT NOT NULL)"));
  ASSIGN_OR_RETURN(
      store::Statement st,
      db.Prepare("INSERT INTO honeyvt_ingest_intent (md5, may_upload, may_comment, scan_id, origin)"
                 " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(md5) DO UPDATE SET"
                 " may_upload = min(may_upload, ?2), may_comment = min(may_comment, ?3),"
                 " scan_id = coalesce(?4, scan_id), origin = ?5"));
  st.BindAll(md5.hex(), intent.may_upload ? 1 : 0, intent.may_comment ? 1 : 0, intent.scan_id,
             origin);
  return st.Run();
}

Result<std::optional<SampleIntent>> LoadIntent(store::Database& db, const domain::Hash& md5) {
  if (!db.TableExists("honeyvt_ingest_intent")) return std::optional<SampleIntent>();
  ASSIGN_OR_RETURN(
      store::Statement st,
      db.Prepare(
          "SELECT may_upload, may_comment, scan_id FROM honeyvt_ingest_intent WHERE md5 = ?"));
  st.Bind(1, md5.hex());
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<SampleIntent>();
  return std::optional<SampleIntent>(
      SampleIntent{st.Int64(0) != 0, st.Int64(1) != 0, st.OptText(2)});
}

Result<OfferOutcome> JobStoreSink::Offer(const SampleCandidate& candidate) {
  ASSIGN_OR_RETURN(OfferCounts counts, OfferBatch(std::span(&candidate, 1)));
  if (counts.added > 0) return OfferOutcome::kAdded;
  return counts.updated > 0 ? OfferOutcome::kUpdated : OfferOutcome::kKnown;
}

Result<OfferCounts> JobStoreSink::OfferBatch(std::span<const SampleCandidate> candidates) {
  std::vector<domain::EnqueueItem> items;
  items.reserve(candidates.size());
  for (const auto& c : candidates) items.push_back(ToEnqueueItem(c));
  std::lock_guard lock(mu_);
  const bool any_intent = std::any_of(candidates.begin(), candidates.end(),
                                      [](const auto& c) { return c.intent != SampleIntent{}; });
  if (intent_db_ != nullptr && any_intent) {
    // Restrictions first, in their own transaction: a crash between the two leaves a
    // restriction without a job (harmless), never a job without its restriction.
    ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(*intent_db_));
    for (const auto& c : candidates) {
      if (c.intent == SampleIntent{}) continue;
      RETURN_IF_ERROR(RecordIntent(*intent_db_, c.md5, c.intent, c.source));
    }
    RETURN_IF_ERROR(tx.Commit());
  }
  ASSIGN_OR_RETURN(domain::EnqueueCounts counts, jobs_.Enqueue(items, clock_.Now()));
  return OfferCounts{counts.added, counts.updated, counts.unchanged};
}

}  // namespace honeyvt::ingest
