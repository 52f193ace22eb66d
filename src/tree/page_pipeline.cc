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
                                           const RootQuery& query, std::size_t index,
                                           const std::shared_ptr<SharedSipMaps>& sip_maps) {
  ASSIGN_OR_RETURN(store::Database db,
                   store::Database::Open(path, {.mode = store::OpenMode::kReadOnly}));
  auto slot = std::make_unique<PageSlot>(PageSlot{index, std::move(db), {}, {}, {}, 0});
  ASSIGN_OR_RETURN(store::Statement roots, slot->db.Prepare(PagedRootSql(query)));
  slot->roots.emplace(std::move(roots));
  ASSIGN_OR_RETURN(TreeSource source, TreeSource::Create(slot->db, sip_maps));
  slot->source.emplace(std::move(source));
  return slot;
}

}  // namespace

Result<std::unique_ptr<PagePipeline>> PagePipeline::Start(const std::filesystem::path& path,
                                                          const RootQuery& query,
                                                          PageCursor cursor) {
  if (cursor.limit == 0) cursor.limit = 1;
  std::unique_ptr<PagePipeline> p(new PagePipeline(query, cursor));
  auto sip_maps = std::make_shared<SharedSipMaps>();  // built once, for every slot
  for (std::size_t i = 0; i < p->entries_.size(); ++i) {
    ASSIGN_OR_RETURN(p->entries_[i].slot, OpenSlot(path, query, i, sip_maps));
  }
  for (std::size_t i = 0; i < kLoaders; ++i) {
    p->loaders_.emplace_back([raw = p.get()] { raw->Loop(); });
  }
  return p;
}

PagePipeline::~PagePipeline() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : loaders_) t.join();
}

bool PagePipeline::ReadPage(PageSlot& slot, Status& status) {
  status = ReadRoots(slot, query_, cursor_);
  if (status && slot.count > 0) cursor_.after = slot.page[slot.count - 1].id;
  return !status || slot.count < cursor_.limit;
}

namespace {

// Prefetches the window of a page whose roots were read in the open transaction.
Status LoadWindow(PageSlot& slot) {
  if (slot.count == 0) return OkStatus();
  // Dense pages (at least one root per 64 ids) prefetch the whole id range at once.
  const std::int64_t lo = slot.page.front().id;
  const std::int64_t last = slot.page[slot.count - 1].id;
  const std::int64_t span = last - lo;
  if (span >= 0 && span <= 64 * static_cast<std::int64_t>(slot.count)) {
    return slot.source->LoadWindow(lo, SaturatingAdd(last, 1 + 256 + span / 8));
  }
  slot.source->ClearWindow();
  return OkStatus();
}

}  // namespace

void PagePipeline::Loop() {
  while (true) {
    Entry* e = nullptr;
    {
      std::unique_lock lock(mu_);
      const auto free_entry = [&]() -> Entry* {
        for (Entry& c : entries_) {
          if (c.state == State::kFree) return &c;
        }
        return nullptr;
      };
      cv_.wait(lock,
               [&] { return stop_ || roots_done_ || (!cursor_busy_ && free_entry() != nullptr); });
      if (stop_ || roots_done_) return;
      e = free_entry();
      e->state = State::kLoading;
      e->page = issued_++;
      cursor_busy_ = true;
    }
    PageSlot& slot = *e->slot;
    // One read transaction per page: its roots and its window see one snapshot.
    Status st = slot.db.Exec("BEGIN");
    const bool begun = st.has_value();
    const bool last = !begun || ReadPage(slot, st);
    {
      std::lock_guard lock(mu_);
      cursor_busy_ = false;
      roots_done_ = last;
    }
    cv_.notify_all();
    if (st) st = LoadWindow(slot);
    if (begun) {
      Status end = slot.db.Exec("COMMIT");
      if (st) st = std::move(end);
    }
    {
      std::lock_guard lock(mu_);
      e->status = std::move(st);
      e->last = last;
      e->state = State::kReady;
    }
    cv_.notify_all();
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
  std::size_t k = 0;
  cv_.wait(lock, [&] {
    for (k = 0; k < entries_.size(); ++k) {
      const Entry& c = entries_[k];
      if (c.state == State::kReady && c.page == next_) return true;
    }
    return false;
  });
  Entry& e = entries_[k];
  ++next_;
  held_ = k;
  ended_ = e.last || !e.status;
  if (!e.status) return Unexpected(e.status.error());
  if (e.slot->count == 0) return static_cast<PageSlot*>(nullptr);
  return e.slot.get();
}

}  // namespace honeyvt::tree
