#include "tree/page_pipeline.h"

#include <limits>
#include <utility>

namespace honeyvt::tree {
namespace {

constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();

std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  return a > kMaxInt - b ? kMaxInt : a + b;
}

// Reads the page of roots after `cursor.after` into the slot.
Status ReadRoots(PageSlot& slot, const RootQuery& query, const PageCursor& cursor) {
  store::Statement& stmt = *slot.roots;
  slot.count = 0;
  int i = 0;
  for (const Value& v : query.params) BindValue(stmt, ++i, v);
  stmt.Bind(++i, cursor.after);
  stmt.Bind(++i, static_cast<std::int64_t>(cursor.limit));
  stmt.Bind(++i, cursor.upto);
  while (true) {
    auto row = stmt.Step();
    if (!row) {
      stmt.Reset();
      return std::move(row).error();
    }
    if (!*row) break;
    if (slot.page.size() <= slot.count) slot.page.resize(slot.count + 1);
    slot.page[slot.count++].ReadInto(stmt, 0);
  }
  stmt.Reset();
  return OkStatus();
}

Result<std::unique_ptr<PageSlot>> OpenSlot(const std::filesystem::path& path,
                                           const RootQuery& query, std::size_t index) {
  ASSIGN_OR_RETURN(store::Database db,
                   store::Database::Open(path, {.mode = store::OpenMode::kReadOnly}));
  auto slot = std::make_unique<PageSlot>(PageSlot{index, std::move(db), {}, {}, {}, 0});
  ASSIGN_OR_RETURN(store::Statement roots, slot->db.Prepare(PagedRootSql(query)));
  slot->roots.emplace(std::move(roots));
  ASSIGN_OR_RETURN(TreeSource source, TreeSource::Create(slot->db));
  slot->source.emplace(std::move(source));
  return slot;
}

}  // namespace

Result<std::unique_ptr<PagePipeline>> PagePipeline::Start(const std::filesystem::path& path,
                                                          const RootQuery& query,
                                                          PageCursor cursor) {
  if (cursor.limit == 0) cursor.limit = 1;
  std::unique_ptr<PagePipeline> p(new PagePipeline(query, cursor));
  for (std::size_t i = 0; i < p->entries_.size(); ++i) {
    ASSIGN_OR_RETURN(p->entries_[i].slot, OpenSlot(path, query, i));
  }
  p->loader_ = std::thread([raw = p.get()] { raw->Loop(); });
  return p;
}

PagePipeline::~PagePipeline() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (loader_.joinable()) loader_.join();
}

Status PagePipeline::Load(PageSlot& slot) {
  store::Database& db = slot.db;
  RETURN_IF_ERROR(db.Exec("BEGIN"));
  Status st = ReadRoots(slot, query_, cursor_);
  if (st && slot.count > 0) {
    // Dense pages (at least one root per 64 ids) prefetch the whole id range at once.
    const std::int64_t lo = slot.page.front().id;
    const std::int64_t last = slot.page[slot.count - 1].id;
    const std::int64_t span = last - lo;
    if (span >= 0 && span <= 64 * static_cast<std::int64_t>(slot.count)) {
      st = slot.source->LoadWindow(lo, SaturatingAdd(last, 1 + 256 + span / 8));
    } else {
      slot.source->ClearWindow();
    }
  }
  Status end = db.Exec("COMMIT");
  RETURN_IF_ERROR(st);
  return end;
}

void PagePipeline::Loop() {
  for (std::size_t k = 0;; ++k) {
    Entry& e = entries_[k % entries_.size()];
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || e.state == State::kFree; });
      if (stop_) return;
      e.state = State::kLoading;
    }
    PageSlot& slot = *e.slot;
    Status st = Load(slot);
    const bool last = !st || slot.count < cursor_.limit;
    if (st && slot.count > 0) cursor_.after = slot.page[slot.count - 1].id;
    {
      std::lock_guard lock(mu_);
      e.status = std::move(st);
      e.last = last;
      e.state = State::kReady;
    }
    cv_.notify_all();
    if (last) return;
  }
}

Result<PageSlot*> PagePipeline::Next() {
  std::unique_lock lock(mu_);
  if (held_) {
    entries_[*held_].state = State::kFree;
    held_.reset();
    cv_.notify_all();
  }
  if (ended_) return static_cast<PageSlot*>(nullptr);
  const std::size_t k = next_ % entries_.size();
  Entry& e = entries_[k];
  cv_.wait(lock, [&] { return e.state == State::kReady; });
  ++next_;
  held_ = k;
  ended_ = e.last;
  if (!e.status) return Unexpected(e.status.error());
  if (e.slot->count == 0) return static_cast<PageSlot*>(nullptr);
  return e.slot.get();
}

}  // namespace honeyvt::tree
