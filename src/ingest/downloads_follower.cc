#include "ingest/downloads_follower.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "ingest/sample_file.h"

namespace honeyvt::ingest {
namespace fs = std::filesystem;

DownloadsFollower::DownloadsFollower(FollowerConfig config, CursorStore& cursors, SampleSink& sink,
                                     Clock& clock)
    : config_(std::move(config)), cursors_(cursors), sink_(sink), clock_(clock) {
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(config_.logsql, ec);
  key_ = (ec ? config_.logsql : abs).string();
  config_.batch_size = std::max(1, config_.batch_size);
}

Result<bool> DownloadsFollower::TryOffer(const PendingDownload& p, PollStats& stats) {
  ASSIGN_OR_RETURN(domain::Hash md5, domain::Hash::Parse(p.md5, domain::HashKind::kMd5));
  SampleCandidate c{md5};
  c.source = "logsql:" + key_;
  c.seen_at = p.captured_at > 0 ? FromUnixSeconds(p.captured_at) : clock_.Now();
  // Captured within the last day: a live capture, ahead of the backlog. Older rows (a
  // first run over an old database) keep the backlog's ordering.
  c.live = clock_.Now() - c.seen_at < std::chrono::hours(24);
  auto sample = HashSample(config_.binaries, SamplePath(config_.binaries, md5));
  if (sample && sample->md5 == md5) {
    c.sha1 = sample->sha1;
    c.sha256 = sample->sha256;
    c.file_path = sample->path.string();
    c.root = sample->root.string();
    c.size = sample->size;
    RETURN_IF_ERROR(sink_.Offer(c));
    ++stats.offered;
    return true;
  }
  const bool expired = clock_.Now() - FromUnixSeconds(p.first_seen) >= config_.file_grace;
  const bool forbidden = !sample && sample.error().code == ErrorCode::kForbidden;
  // Not there yet, unreadable for now, or still being copied in by dionaea: retry on the
  // next poll. A symlink out of the directory will not get better: no waiting.
  if (!expired && !forbidden) return false;
  if (sample) {
    // The file's content is another sample: never trust a name. Look the md5 up only.
    spdlog::warn("ingest: {} does not hash to its name (content md5 {}); looking up {} by hash",
                 Printable(sample->path.string()), sample->md5.hex(), md5.hex());
  } else if (forbidden) {
    spdlog::warn("ingest: {}; looking up {} by hash only", sample.error().message, md5.hex());
  } else {
    spdlog::warn("ingest: sample of download {} not usable after {}s ({}); looking up by hash",
                 p.rowid, config_.file_grace.count(), sample.error().message);
  }
  RETURN_IF_ERROR(sink_.Offer(c));
  ++stats.hash_only;
  return true;
}

Status DownloadsFollower::ReadBatch(store::Database& db, PollStats& stats, bool& more,
                                    std::stop_token stop) {
  FollowerState& state = *state_;
  ASSIGN_OR_RETURN(
      store::Statement select,
      db.Prepare("SELECT d.download, d.download_md5_hash, c.connection_timestamp"
                 " FROM downloads d LEFT JOIN connections c ON c.connection = d.connection"
                 " WHERE d.download > ? ORDER BY d.download LIMIT ?"));
  select.BindAll(state.last_rowid, static_cast<std::int64_t>(config_.batch_size));
  std::vector<PendingDownload> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    PendingDownload p;
    p.rowid = select.Int64(0);
    p.first_seen = ToUnixSecondsInt(clock_.Now());
    const auto t = select.Type(2);
    if (t == store::ColumnType::kInteger || t == store::ColumnType::kFloat) {
      p.captured_at = select.Double(2);  // REAL seconds with a fraction, as dionaea writes
    }
    auto md5 = domain::Hash::Parse(select.TextView(1), domain::HashKind::kMd5);
    if (md5) {
      p.md5 = md5->hex();
    } else {
      spdlog::warn("ingest: {}: download {} skipped: {}", Printable(key_), p.rowid,
                   md5.error().message);
      ++stats.invalid;
    }
    rows.push_back(std::move(p));
  }
  select.Reset();  // release the read lock before offering
  more = static_cast<int>(rows.size()) == config_.batch_size;
  if (rows.empty()) return OkStatus();
  // dionaea logs every download, repeats too; only the first download of an md5 is new.
  // One pass over the table finds, for this batch's md5s, their first rowid ever.
  std::unordered_map<std::string, std::int64_t> first;
  {
    ASSIGN_OR_RETURN(
        store::Statement firsts,
        db.Prepare(
            "SELECT download_md5_hash, min(download) FROM downloads WHERE download_md5_hash IN"
            " (SELECT download_md5_hash FROM downloads WHERE download > ?1 AND download <= ?2)"
            " GROUP BY download_md5_hash"));
    firsts.BindAll(state.last_rowid, rows.back().rowid);
    while (true) {
      ASSIGN_OR_RETURN(bool row, firsts.Step());
      if (!row) break;
      auto md5 = domain::Hash::Parse(firsts.TextView(0), domain::HashKind::kMd5);
      if (!md5) continue;
      auto [it, added] = first.try_emplace(md5->hex(), firsts.Int64(1));
      if (!added) it->second = std::min(it->second, firsts.Int64(1));  // case variants
    }
  }
  for (const auto& p : rows) {
    if (stop.stop_requested()) {
      more = false;  // rows after the last one handled are read again next time
      break;
    }
    ++stats.rows;
    state.last_rowid = std::max(state.last_rowid, p.rowid);
    if (p.md5.empty()) continue;
    if (auto it = first.find(p.md5); it != first.end() && it->second < p.rowid) {
      ++stats.repeats;
      continue;
    }
    ASSIGN_OR_RETURN(bool done, TryOffer(p, stats));
    if (!done) state.pending.push_back(p);
  }
  return cursors_.Save(key_, state);
}

Result<PollStats> DownloadsFollower::PollOnce(std::stop_token stop) {
  auto stats = Poll(stop);
  // On any error forget the in-memory progress: the next poll resumes from the last saved
  // state (repeating a few offers, which the sink absorbs) rather than skipping rows.
  if (!stats) state_.reset();
  return stats;
}

Result<PollStats> DownloadsFollower::Poll(std::stop_token stop) {
  PollStats stats;
  if (!state_) {
    ASSIGN_OR_RETURN(FollowerState loaded, cursors_.Load(key_));
    state_ = std::move(loaded);
  }
  ASSIGN_OR_RETURN(store::Database db,
                   store::Database::Open(config_.logsql, {.mode = store::OpenMode::kReadOnly,
                                                          .busy_timeout = config_.busy_timeout}));
  if (!db.TableExists("downloads")) {
    return MakeError(ErrorCode::kCorrupt,
                     config_.logsql.string() + ": no downloads table (not a dionaea logsql file)");
  }
  {
    ASSIGN_OR_RETURN(store::Statement top,
                     db.Prepare("SELECT coalesce(max(download), 0) FROM downloads"));
    ASSIGN_OR_RETURN(bool row, top.Step());
    if (row && top.Int64(0) < state_->last_rowid) {
      spdlog::warn(
          "ingest: {}: downloads now end at rowid {} < cursor {}: a new database? "
          "reading it from the start",
          Printable(key_), top.Int64(0), state_->last_rowid);
      *state_ = FollowerState{};
      stats.restarted = 1;
    }
  }
  // Rows still waiting for their file first, so their grace is checked every poll.
  std::vector<PendingDownload> waiting = std::move(state_->pending);
  state_->pending.clear();
  for (const auto& p : waiting) {
    ASSIGN_OR_RETURN(bool done, TryOffer(p, stats));
    if (!done) state_->pending.push_back(p);
  }
  bool more = true;
  while (more && !stop.stop_requested()) RETURN_IF_ERROR(ReadBatch(db, stats, more, stop));
  stats.waiting = static_cast<std::int64_t>(state_->pending.size());
  return stats;
}

void DownloadsFollower::Run(std::stop_token stop) {
  std::string last_error;  // a persisting error is logged once, not every poll
  while (!stop.stop_requested()) {
    auto stats = PollOnce(stop);
    if (!stats) {
      if (stats.error().ToString() != last_error) {
        last_error = stats.error().ToString();
        spdlog::warn("ingest: following {}: {} (retrying every {} ms)", Printable(key_), last_error,
                     config_.poll_interval.count());
      }
    } else {
      if (!last_error.empty()) {
        last_error.clear();
        spdlog::info("ingest: following {} again", Printable(key_));
      }
      if (stats->rows > 0 || stats->offered > 0 || stats->hash_only > 0) {
        spdlog::info(
            "ingest: {}: {} new downloads, {} offered, {} by hash only, {} awaiting their "
            "file, {} repeats, {} invalid",
            Printable(key_), stats->rows, stats->offered, stats->hash_only, stats->waiting,
            stats->repeats, stats->invalid);
      }
    }
    if (!clock_.SleepFor(config_.poll_interval, stop)) break;
  }
}

}  // namespace honeyvt::ingest
