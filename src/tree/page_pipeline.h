#pragma once
// Reads pages of roots, with their windows prefetched, ahead of the walk.
//
// The SQLite range scans of a page (TreeSource::LoadWindow) cost more than formatting
// it, so kLoaders loader threads fill kSlots slots while the walker formats: on two
// cores the scans of pages k+1 and k+2 overlap with formatting page k, and a loader takes
// the CPU whenever the walker waits. Each slot owns its own read-only connection, root
// statement and TreeSource, and is used by exactly one thread at a time: a loader fills
// a free slot, the walker takes the ready slots in page order and gives each back with
// its next call. Handover happens under a mutex, so SQLite never sees one connection
// used from two threads at once. Reading a page's roots is serialised (each page starts
// after the last root of the previous one); the window scans run in parallel.
//
// A loader ends its read transaction as soon as its page is loaded; the walker opens
// its own around the page's point queries. So no lock is held while a loader waits for
// the walker, and none while output is written.

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
  std::size_t index = 0;  // < PagePipeline::kSlots: lets the caller keep per-slot writers
  store::Database db;
  std::optional<store::Statement> roots;  // set once db has its final address
  std::optional<TreeSource> source;       // refers to db
  std::vector<Connection> page;           // first `count` valid
  std::size_t count = 0;
};

class PagePipeline {
 public:
  static constexpr std::size_t kLoaders = 2;
  static constexpr std::size_t kSlots = kLoaders + 1;

  static Result<std::unique_ptr<PagePipeline>> Start(const std::filesystem::path& path,
                                                     const RootQuery& query, PageCursor cursor);
  ~PagePipeline();  // stops the loaders and waits for them
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
    std::size_t page = 0;  // the page number it holds (valid unless kFree)
    Status status;
    bool last = false;
  };
  PagePipeline(RootQuery query, PageCursor cursor) : query_(std::move(query)), cursor_(cursor) {}
  void Loop();
  // Reads the next page's roots into `slot` (the caller holds the cursor); true: last.
  bool ReadPage(PageSlot& slot, Status& status);

  const RootQuery query_;
  PageCursor cursor_;  // only the loader holding `cursor_busy_` touches it
  std::mutex mu_;
  std::condition_variable cv_;
  std::array<Entry, kSlots> entries_;
  bool stop_ = false;
  bool cursor_busy_ = false;         // a loader is reading roots
  bool roots_done_ = false;          // the last page's roots were read
  std::size_t issued_ = 0;           // pages whose roots were read
  std::size_t next_ = 0;             // walker: the page to take next
  std::optional<std::size_t> held_;  // walker: the entry it holds
  bool ended_ = false;               // walker: the last page was taken
  std::vector<std::thread> loaders_;
};

}  // namespace honeyvt::tree
