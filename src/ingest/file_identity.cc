#include "ingest/file_identity.h"

#include <vector>

namespace honeyvt::ingest {
namespace {

// SQLite integers are signed 64-bit; device and inode numbers are stored bit for bit.
std::int64_t AsSql(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t FromSql(std::int64_t v) { return static_cast<std::uint64_t>(v); }

std::int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<std::unique_ptr<FileIdentityCache>> FileIdentityCache::Open(
    const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(store::Database db,
                   store::Database::Open(path, {.mode = store::OpenMode::kReadWrite,
                                                .busy_timeout = std::chrono::milliseconds(10000),
                                                .owned = true}));
  if (!db.TableExists("file_identity")) {
    return MakeError(
        ErrorCode::kCorrupt,
        path.string() + ": no file_identity table (open it as a state database first)");
  }
  return std::unique_ptr<FileIdentityCache>(new FileIdentityCache(std::move(db)));
}

Status FileIdentityCache::Load() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(store::Statement all,
                   db_.Prepare("SELECT device, inode, size, mtime_ns FROM file_identity"));
  entries_.clear();
  while (true) {
    ASSIGN_OR_RETURN(bool row, all.Step());
    if (!row) break;
    entries_[Key{FromSql(all.Int64(0)), FromSql(all.Int64(1))}] =
        Entry{all.Int64(2), all.Int64(3), false};
  }
  return OkStatus();
}

std::size_t FileIdentityCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

bool FileIdentityCache::Known(const FileStamp& stamp) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{stamp.device, stamp.inode});
  if (it == entries_.end()) return false;
  it->second.present = true;  // the inode exists, whatever it holds now
  return it->second.size == stamp.size && it->second.mtime_ns == stamp.mtime_ns;
}

Status FileIdentityCache::Record(std::span<const KnownFile> files, TimePoint now) {
  if (files.empty()) return OkStatus();
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(store::Statement put,
                   db_.Prepare("INSERT OR REPLACE INTO file_identity (device, inode, size, "
                               "mtime_ns, md5, sha1, sha256, dir, recorded_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  for (const KnownFile& f : files) {
    put.Reset();
    put.BindAll(AsSql(f.stamp.device), AsSql(f.stamp.inode), f.stamp.size, f.stamp.mtime_ns,
                f.md5.hex(), f.sha1.hex(), f.sha256.hex(), f.dir, Millis(now));
    RETURN_IF_ERROR(put.Run());
  }
  RETURN_IF_ERROR(tx.Commit());
  for (const KnownFile& f : files) {
    entries_[Key{f.stamp.device, f.stamp.inode}] = Entry{f.stamp.size, f.stamp.mtime_ns, true};
  }
  return OkStatus();
}

Result<std::int64_t> FileIdentityCache::Prune() {
  std::lock_guard lock(mu_);
  std::vector<Key> gone;
  for (const auto& [key, entry] : entries_) {
    if (!entry.present) gone.push_back(key);
  }
  if (gone.empty()) return 0;
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(store::Statement del,
                   db_.Prepare("DELETE FROM file_identity WHERE device = ? AND inode = ?"));
  for (const Key& k : gone) {
    del.Reset();
    del.BindAll(AsSql(k.device), AsSql(k.inode));
    RETURN_IF_ERROR(del.Run());
  }
  RETURN_IF_ERROR(tx.Commit());
  for (const Key& k : gone) entries_.erase(k);
  return static_cast<std::int64_t>(gone.size());
}

Result<std::optional<TimePoint>> FileIdentityCache::LastScan(const std::string& dir) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(store::Statement get,
                   db_.Prepare("SELECT scanned_at FROM scan_marks WHERE dir = ?"));
  get.Bind(1, dir);
  ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) return std::optional<TimePoint>();
  return std::optional<TimePoint>(
      TimePoint(std::chrono::duration_cast<Duration>(std::chrono::milliseconds(get.Int64(0)))));
}

Status FileIdentityCache::SaveScan(const std::string& dir, TimePoint scanned_at) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(
      store::Statement put,
      db_.Prepare("INSERT OR REPLACE INTO scan_marks (dir, scanned_at) VALUES (?, ?)"));
  put.BindAll(dir, Millis(scanned_at));
  return put.Run();
}

}  // namespace honeyvt::ingest
