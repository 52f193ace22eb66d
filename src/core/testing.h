#pragma once
// Helpers for tests of every module: temporary directories removed on destruction and
// the location of the test fixtures inside the repository (tests/fixtures/).

#include <filesystem>
#include <string>

namespace honeyvt::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The repository's tests/fixtures/ folder: dionaea schema dumps, synthetic attacks and
// readlogsqltree's reference outputs (dionaea/), recorded VirusTotal bodies (vt-fixtures/).
// Tests read fixtures from here only, so a clone anywhere passes (tests/fixtures/README.md).
std::filesystem::path FixturesDir();
std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& content);

}  // namespace honeyvt::testing
