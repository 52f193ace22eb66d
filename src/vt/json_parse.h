#pragma once
// Parsers for VirusTotal reply bodies, v3 and v2. Pure functions of the body text: no
// I/O, no exceptions (nlohmann's are caught inside), bounded cost (vt/json_doc.h).
// A body that is not JSON, is truncated, or lacks the members a reply must have is
// kTransient ("unexpected VirusTotal reply"). Members that are optional in the API may
// be absent or of the wrong type; they then read as unknown. Hashes from the server are
// validated and lower-cased. Engine lists keep the server's order.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/report.h"

namespace honeyvt::vt {

// v3 error body {"error": {"code", "message"}}; both empty when the body is not one.
struct V3ErrorBody {
  std::string code;
  std::string message;
};
V3ErrorBody ParseV3Error(std::string_view body);

// GET /files/{id}: the file object. Permalink https://www.virustotal.com/gui/file/<sha256>.
Result<domain::FileReport> ParseV3FileReport(std::string_view body);
// Upload / rescan reply {"data": {"type": "analysis", "id": <string or integer>}}.
Result<domain::AnalysisRef> ParseV3AnalysisDescriptor(std::string_view body);
// GET /analyses/{id}.
Result<domain::Analysis> ParseV3Analysis(std::string_view body);
// GET /files/upload_url: the absolute http(s) URL in "data".
Result<std::string> ParseV3UploadUrl(std::string_view body);
// POST /files/{id}/comments reply: the comment id.
Result<domain::CommentAck> ParseV3Comment(std::string_view body);

// v2 file/report for `expected` resources: an array in request order, or a bare object
// when one resource was asked for. The outer error is a body that does not fit; inner
// results: response_code 1 -> report, 0 -> kNotFound, -2 -> kQueued.
Result<std::vector<Result<domain::FileReport>>> ParseV2FileReports(std::string_view body,
                                                                   std::size_t expected);
// The same for the resources asked for (hashes or scan_ids), in request order; an item
// whose `resource` echo names another resource is an error of that item (kTransient).
Result<std::vector<Result<domain::FileReport>>> ParseV2FileReportsFor(
    std::string_view body, std::span<const std::string> resources);
// v2 file/scan and file/rescan replies (scan_id, sha256, permalink).
Result<domain::AnalysisRef> ParseV2ScanReply(std::string_view body);
// v2 comments/put reply. A duplicate comment counts as success (it is there already).
Result<domain::CommentAck> ParseV2CommentReply(std::string_view body);

}  // namespace honeyvt::vt
