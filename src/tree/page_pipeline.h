#pragma once
// Reads pages of roots, with their windows prefetched, one page ahead of the walk.
//
// On two cores the SQLite range scans of page k+1 (TreeSource::LoadWindow, about half of
// a full run's CPU) overlap with formatting page k. Two slots alternate; each owns its
// own read-only connection, root statement and TreeSource, and is used by exactly one
// thread at a time: the loader fills a free slot, the walker takes a ready one and gives
// it back with its next call. Handover happens under a mutex, so SQLite never sees one
// connection used from two threads at once.
//
// The loader ends its read transaction as soon as the page is loaded; the walker opens
// its own around the page's point queries. So no lock is held while the loader waits
// for the walker, and none while output is written.

#include <array>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/result.h"
#include "store/sqlite.h"
#include "tree/connection.h"
#include "tree/filters.h"
#include "tree/source.h"

namespace honeyvt::tree {

// Where the root scan starts and stops (ids), and how many roots a page holds.
struct PageCursor {
  std::int64_t after;
  std::int64_t upto;
  std::size_t limit;
};

struct PageSlot {
  std::size_t index = 0;  // 0 or 1: lets the caller keep per-slot writers
  store::Database db;
  std::optional<store::Statement> roots;  // set once db has its final address
  std::optional<TreeSource> source;       // refers to db
  std::vector<Connection> page;           // first `count` valid
  std::size_t count = 0;
};

class PagePipeline {
 public:
  static Result<std::unique_ptr<PagePipeline>> Start(const std::filesystem::path& path,
                                                     const RootQuery& query, PageCursor cursor);
  ~PagePipeline();  // stops the loader and waits for it
  PagePipeline(const PagePipeline&) = delete;
  PagePipeline& operator=(const PagePipeline&) = delete;

  // Gives back the slot returned last time and waits for the next loaded page.
  // nullptr: no more roots.
  Result<PageSlot*> Next();

 private:
  enum class State { kFree, kLoading, kReady };
  struct Entry {
    std::unique_ptr<PageSlot> slot;
    State state = State::kFree;
    Status status;
    bool last = false;
  };
  PagePipeline(RootQuery query, PageCursor cursor) : query_(std::move(query)), cursor_(cursor) {}
  void Loop();
  Status Load(PageSlot& slot);

  const RootQuery query_;
  PageCursor cursor_;  // loader thread only
  std::mutex mu_;
  std::condition_variable cv_;
  std::array<Entry, 2> entries_;
  bool stop_ = false;
  std::size_t next_ = 0;             // walker: the entry to take next
  std::optional<std::size_t> held_;  // walker: the entry it holds
  bool ended_ = false;               // walker: the last page was taken
  std::thread loader_;
};

}  // namespace honeyvt::tree
