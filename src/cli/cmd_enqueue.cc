// honeyvt enqueue FILE|DIR... | --hash HASH...|-
#include <filesystem>
#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "cli/ownership.h"
#include "core/clock.h"
#include "core/digest.h"
#include "core/strings.h"
#include "domain/hash.h"
#include "store/state_db.h"

namespace honeyvt::cli {
namespace {

namespace fs = std::filesystem;

// Adds a validated hash to `item` in the slot of its kind.
Status SetHash(domain::EnqueueItem& item, std::string_view text) {
  ASSIGN_OR_RETURN(domain::Hash hash, domain::Hash::Parse(Trim(text)));
  switch (hash.kind()) {
    case domain::HashKind::kMd5:
      item.md5 = hash.hex();
      break;
    case domain::HashKind::kSha1:
      item.sha1 = hash.hex();
      break;
    case domain::HashKind::kSha256:
      item.sha256 = hash.hex();
      break;
  }
  return OkStatus();
}

Status AddHashes(const std::vector<std::string>& args, const domain::EnqueueItem& base,
                 std::vector<domain::EnqueueItem>& out) {
  auto add = [&](std::string_view text, const std::string& where) -> Status {
    domain::EnqueueItem item = base;
    if (Status st = SetHash(item, text); !st) {
      return MakeError(ErrorCode::kInvalidArgument, where + ": '" +
                                                        std::string(text.substr(0, 80)) +
                                                        "' is not an md5, sha1 or sha256 in hex");
    }
    out.push_back(std::move(item));
    return OkStatus();
  };
  for (const auto& arg : args) {
    if (arg != "-") {
      RETURN_IF_ERROR(add(arg, "argument"));
      continue;
    }
    std::string line;
    for (std::int64_t n = 1; std::getline(std::cin, line); ++n) {
      if (Trim(line).empty() || Trim(line)[0] == '#') continue;
      RETURN_IF_ERROR(add(line, "stdin line " + std::to_string(n)));
    }
  }
  return OkStatus();
}

// The folders an upload may read a file from (docs/configuration.md): a configured
// folder (binaries, watch) that holds the file, else the folder the operator named.
struct Roots {
  std::vector<fs::path> configured;  // canonical

  static Roots Of(const Options& options) {
    Roots r;
    std::error_code ec;
    for (const fs::path& folder : std::vector<fs::path>{options.binaries}) {
      if (auto c = fs::canonical(folder, ec); !ec) r.configured.push_back(c);
    }
    for (const fs::path& folder : options.watch) {
      if (auto c = fs::canonical(folder, ec); !ec) r.configured.push_back(c);
    }
    return r;
  }
  // The longest configured folder `file` lies below, else `named`.
  fs::path For(const fs::path& file, const fs::path& named) const {
    fs::path best = named;
    std::size_t best_len = 0;
    for (const fs::path& root : configured) {
      const fs::path rel = file.lexically_relative(root);
      if (rel.empty() || *rel.begin() == ".." || *rel.begin() == ".") continue;
      if (root.string().size() > best_len) {
        best = root;
        best_len = root.string().size();
      }
    }
    return best;
  }
};

// `path` is canonical (a file named directly has had its links resolved; inside
// directories links are skipped); `named` is the canonical folder the operator named.
Status AddFile(const fs::path& path, const fs::path& named, const Roots& roots,
               const domain::EnqueueItem& base, std::vector<domain::EnqueueItem>& out) {
  ASSIGN_OR_RETURN(ContentDigests d, DigestFile(path));
  domain::EnqueueItem item = base;
  item.md5 = d.md5;
  item.sha1 = d.sha1;
  item.sha256 = d.sha256;
  item.path = path.string();
  item.size = d.size;
  item.root = roots.For(path, named).string();
  if (item.root.find('\n') != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "a folder name with a newline is not supported");
  }
  out.push_back(std::move(item));
  return OkStatus();
}

// Files directly named are taken as given (their links resolved); inside directories
// only regular files are taken and symbolic links are not followed (a link could point
// anywhere). Each file records the folder an upload may read it from: the configured
// folder (binaries, watch) holding it, else the directory named (or the named file's).
Status AddPaths(const std::vector<std::string>& args, const Roots& roots,
                const domain::EnqueueItem& base, std::vector<domain::EnqueueItem>& out,
                std::int64_t& skipped) {
  for (const auto& arg : args) {
    std::error_code ec;
    const fs::path p(arg);
    if (fs::is_directory(p, ec)) {
      const fs::path named = fs::canonical(p, ec);
      if (ec) return MakeError(ErrorCode::kIo, arg + ": " + ec.message());
      fs::recursive_directory_iterator it(named, fs::directory_options::skip_permission_denied, ec);
      if (ec) return MakeError(ErrorCode::kIo, arg + ": " + ec.message());
      for (const auto& entry : it) {
        if (!entry.is_regular_file(ec) || entry.is_symlink(ec)) continue;
        if (Status st = AddFile(entry.path().lexically_normal(), named, roots, base, out); !st) {
          std::cerr << "honeyvt: skipped " << entry.path().string() << ": " << st.error().message
                    << "\n";
          ++skipped;
        }
      }
    } else {
      const fs::path file = fs::canonical(p, ec);
      if (ec) return MakeError(ErrorCode::kNotFound, arg + ": " + ec.message());
      RETURN_IF_ERROR(AddFile(file, file.parent_path(), roots, base, out));
    }
  }
  return OkStatus();
}

}  // namespace

int EnqueueMain(const Invocation& inv) {
  CLI::App app(
      "Queue samples for VirusTotal. Files are hashed (md5, sha1, sha256 in one pass) and "
      "uploaded if VirusTotal does not know them (upload = always, and the folder's own "
      "policy allows it); directories are searched recursively (symbolic links are not "
      "followed). An upload reads the file only below the configured folder that holds it "
      "(binaries, watch), else below the directory named here (for a file: its directory), "
      "and only if it is still the file that was hashed. With --hash the arguments "
      "are md5/sha1/sha256 hashes that are only looked up, never uploaded; '-' reads one "
      "hash per line from stdin. Queueing a sample twice never creates a second job; a "
      "higher --priority raises the existing one. `honeyvt run` does the work.",
      inv.program);
  CommonFlags common;
  AddCommonFlags(app, common);
  bool hashes = false;
  int priority = 0;
  std::string source = "enqueue";
  std::vector<std::string> args;
  app.add_flag("--hash", hashes, "arguments are hashes (lookup only), '-' = read stdin");
  app.add_option("--priority", priority, "higher is processed first (default 0)");
  app.add_option("--source", source, "label stored with the job (default 'enqueue')");
  app.add_option("ARGS", args, "files, directories, or with --hash hashes / '-'")->required();
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  auto options = ResolveOptions(common);
  if (!options) {
    PrintError(options.error().message);
    return kExitUsage;
  }
  if (Status owner = CheckStateOwner(options->StatePath(), inv.program, inv.args); !owner) {
    PrintError(owner.error().message);
    return kExitUsage;
  }
  domain::EnqueueItem base;
  base.source = source;
  base.priority = priority;
  std::vector<domain::EnqueueItem> items;
  std::int64_t skipped = 0;
  Status collected = hashes ? AddHashes(args, base, items)
                            : AddPaths(args, Roots::Of(*options), base, items, skipped);
  if (!collected) {
    PrintError(collected.error().message + " (nothing was queued)");
    return collected.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  auto state = store::StateDb::Open(options->StatePath());
  if (!state) {
    PrintError(state.error().message);
    return kExitFailure;
  }
  SystemClock clock;
  auto counts = state->Enqueue(items, clock.Now());
  if (!counts) {
    PrintError(counts.error().message);
    return kExitFailure;
  }
  std::cout << "queued " << counts->added << " new sample(s); " << counts->updated
            << " already queued and updated, " << counts->unchanged << " already queued unchanged";
  if (skipped > 0) std::cout << "; " << skipped << " unreadable file(s) skipped";
  std::cout << " (state " << options->StatePath().string() << ")\n";
  return kExitOk;
}

}  // namespace honeyvt::cli
