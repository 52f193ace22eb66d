#pragma once
// The narrow interface through which ingest hands samples to the pipeline.
//
// Every ingest source (logsql downloads follower, directory watcher, backlog, dionaea
// vtcache import) produces SampleCandidates and offers them to a SampleSink. The sink
// (the pipeline's job store in production, a recording fake in tests) must be idempotent:
// offering a sample it already holds never creates a second job; it may raise the
// priority or attach a file path or hashes that were missing.
//
// Thread safety: a sink may be called from several ingest threads; implementations
// serialise internally.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/hash.h"

namespace honeyvt::ingest {

// What honeyvt may still do for a sample taken over from another queue (dionaea's vtcache).
// Fresh samples allow everything; every sample always starts with a report lookup.
struct SampleIntent {
  bool may_upload = true;   // false: the file is on VirusTotal already (or was sent)
  bool may_comment = true;  // false: a comment was (possibly) posted already
  // VirusTotal scan id from an earlier upload ("<sha256>-<epoch>"), kept for polling.
  std::optional<std::string> scan_id;
  bool operator==(const SampleIntent&) const = default;
};

struct SampleCandidate {
  explicit SampleCandidate(domain::Hash md5_hash) : md5(std::move(md5_hash)) {}
  domain::Hash md5;                          // identity; validated lowercase hex
  std::optional<domain::Hash> sha1, sha256;  // when the content was hashed
  std::optional<std::string> file_path;      // verified regular file inside its directory
  std::string root;                          // that directory, canonical (with file_path)
  std::optional<std::int64_t> size;          // bytes of file_path when it was hashed
  std::string source;                        // "logsql:<path>", "watch:<dir>", "vtcache", ...
  std::int64_t downloads = 1;                // priority hint: downloads sharing the md5
  bool live = false;                         // captured now (follower, watcher): goes first
  TimePoint seen_at{};                       // priority hint: most recent capture
  SampleIntent intent;
};

enum class OfferOutcome {
  kAdded,    // a new job was created
  kUpdated,  // the job existed; priority, path or hashes were raised/filled in
  kKnown,    // the job existed and nothing changed
};

struct OfferCounts {
  std::int64_t added = 0, updated = 0, known = 0;
  void Add(OfferOutcome o);
  std::int64_t total() const { return added + updated + known; }
};

class SampleSink {
 public:
  virtual ~SampleSink() = default;
  virtual Result<OfferOutcome> Offer(const SampleCandidate& candidate) = 0;
  // Offers many samples at once; a store implementation does this in one transaction.
  // The default offers them one by one.
  virtual Result<OfferCounts> OfferBatch(std::span<const SampleCandidate> candidates);
};

}  // namespace honeyvt::ingest
