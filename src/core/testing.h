#pragma once
// Helpers for tests of every module: temporary directories removed on destruction and
// the location of the project's shared fixtures (../shared, or HONEYVT_SHARED_DIR).

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

// The shared/ folder with dionaea and VirusTotal fixtures.
std::filesystem::path SharedDir();
std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& content);

}  // namespace honeyvt::testing
