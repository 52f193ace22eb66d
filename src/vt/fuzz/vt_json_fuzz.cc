// libFuzzer target over every parser of VirusTotal reply bodies (vt/json_parse.h) and the
// error classifier that reads v3 error bodies. Built only with -DHONEYVT_FUZZ=ON and clang;
// scripts/fuzz-vt builds and runs it on a corpus seeded from tests/fixtures/vt-fixtures.
// Any crash, sanitizer report, leak or timeout is a bug: hostile bodies must give a
// typed error.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vt/error_map.h"
#include "vt/json_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace honeyvt;
  using namespace honeyvt::vt;
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  // One parser per input (chosen by the size, which mutations keep changing), so each
  // execution parses the body once and the fuzzer runs several times faster.
  const std::size_t expected = size == 0 ? 1 : 1 + data[0] % 4;
  switch (size % 9) {
    case 0:
      static_cast<void>(ParseV3FileReport(body));
      break;
    case 1:
      static_cast<void>(ParseV3Analysis(body));
      break;
    case 2:
      static_cast<void>(ParseV3AnalysisDescriptor(body));
      break;
    case 3:
      static_cast<void>(ParseV3UploadUrl(body));
      break;
    case 4:
      static_cast<void>(ParseV3Comment(body));
      break;
    case 5:
      static_cast<void>(ParseV2ScanReply(body));
      break;
    case 6:
      static_cast<void>(ParseV2CommentReply(body));
      break;
    case 7: {
      auto reports = ParseV2FileReports(body, expected);
      if (reports && reports->size() != expected) __builtin_trap();
      break;
    }
    default: {
      HttpResponse response;
      response.status = size == 0 ? 500 : 400 + data[size - 1] % 200;
      response.body = std::string(body);
      response.headers["retry-after"] = std::string(body.substr(0, 40));
      response.headers["date"] = "Fri, 27 Nov 2026 10:00:00 GMT";
      const Secret key("fuzz-key");
      if (MapV3Response(response, key).message.find("fuzz-key") != std::string::npos ||
          MapV2Response(response, key).message.find("fuzz-key") != std::string::npos) {
        __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
