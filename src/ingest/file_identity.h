#pragma once
// What honeyvt has already hashed and queued from its sample directories, kept in the
// state database (tables file_identity and scan_marks, state migration 5), so that a
// restart reads no unchanged file again and does not lift old files to live priority.
//
// A file is known when its (device, inode) is recorded with the same size and
// modification time (nanoseconds): it was hashed and offered to the queue before, and
// neither its content nor its place can have changed without changing one of these.
// Its hashes are stored with it. Identities are recorded only after the offer was stored,
// so a crash in between costs one more hash, never a missed sample.
//
// Scan marks say when each directory was last scanned completely; files whose status
// changed (created, moved in) after the mark are new since the previous run.
//
// Load() reads the identities into memory once (a restart then costs one sequential read
// of the table, not a query per file); Known() answers from memory. Prune() drops the
// identities of files that no longer exist (after a complete scan). Thread-safe: the
// directory watcher and the downloads follower share one instance (own connection).

#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "ingest/sample_file.h"
#include "store/sqlite.h"

namespace honeyvt::ingest {

struct KnownFile {
  FileStamp stamp;
  domain::Hash md5, sha1, sha256;
  std::string dir;  // the directory it was found in
};

class FileIdentityCache {
 public:
  // Opens the state database at `path` (migrated: store::StateDb::Open ran before).
  static Result<std::unique_ptr<FileIdentityCache>> Open(const std::filesystem::path& path);

  // Reads every recorded identity into memory (call once, before Known()).
  Status Load();
  std::size_t size() const;
  // Whether this file was hashed and offered before with the same size and mtime. Marks
  // the identity as present (see Prune).
  bool Known(const FileStamp& stamp);
  // Records files whose offers were stored, in one transaction.
  Status Record(std::span<const KnownFile> files, TimePoint now);
  // Deletes every identity Known() has not seen since Load(). Call only after every
  // directory was scanned completely. Returns how many were dropped.
  Result<std::int64_t> Prune();

  // When `dir` was last scanned completely (nullopt: never).
  Result<std::optional<TimePoint>> LastScan(const std::string& dir);
  Status SaveScan(const std::string& dir, TimePoint scanned_at);

 private:
  explicit FileIdentityCache(store::Database db) : db_(std::move(db)) {}
  struct Key {
    std::uint64_t device, inode;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return k.device * 0x9e3779b97f4a7c15ULL ^ k.inode;
    }
  };
  struct Entry {
    std::int64_t size, mtime_ns;
    bool present;  // seen by Known() since Load()
  };
  mutable std::mutex mu_;
  store::Database db_;                               // guarded by mu_
  std::unordered_map<Key, Entry, KeyHash> entries_;  // guarded by mu_
};

}  // namespace honeyvt::ingest
