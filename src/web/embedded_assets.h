#pragma once
// The dashboard's static files (src/web/assets), compiled into the binary by
// cmake/EmbedAssets.cmake: no file is read from disk at run time.

#include <span>
#include <string_view>

namespace honeyvt::web {

struct EmbeddedAsset {
  std::string_view path;  // relative to src/web/assets, e.g. "js/app.js"
  std::string_view data;
};

std::span<const EmbeddedAsset> EmbeddedAssets();

}  // namespace honeyvt::web
