#pragma once
// What the simulator served, for tests and benchmarks to assert on (GET /_sim/log):
// calls per key label and endpoint, quota errors, authentication failures, injected
// faults, uploads received and comments posted. Keys appear only as KeyLabel(key).
// Not thread-safe (owner serialises).

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace honeyvt::vtsim {

struct UploadRecord {
  std::string key_label, via;  // via: "v3", "v3-upload-url", "v2"
  std::string md5, sha1, sha256, filename;
  std::int64_t size = 0;
  std::int64_t date = 0;
};

// One API request as it arrived (after authentication), admitted or refused for quota.
struct ArrivalRecord {
  double at = 0;  // simulated Unix seconds (microsecond resolution)
  std::string key_label, endpoint;
  std::string target;  // v3: the request path; v2: the `resource` parameter
  int cost = 1;
  bool admitted = true;
  std::string refused_by;  // the window that refused it
};

struct CommentRecord {
  std::string key_label, api;  // api: "v3" or "v2"
  std::string sha256, text;
  std::int64_t date = 0;
};

class SimLog {
 public:
  void Call(const std::string& key_label, const std::string& endpoint) {
    ++calls_[{key_label, endpoint}];
  }
  void QuotaError(const std::string& key_label, const std::string& endpoint,
                  const std::string& window) {
    ++quota_errors_[{key_label, endpoint}];
    ++quota_windows_[window];
  }
  void AuthError(const std::string& endpoint) { ++auth_errors_[endpoint]; }
  void Fault(const std::string& kind, const std::string& endpoint) { ++faults_[{kind, endpoint}]; }
  void Upload(UploadRecord r) { uploads_.push_back(std::move(r)); }
  // Kept for the last kMaxArrivals requests (GET /_sim/arrivals).
  static constexpr std::size_t kMaxArrivals = 1'000'000;
  void Arrival(ArrivalRecord r) {
    if (arrivals_.size() < kMaxArrivals) arrivals_.push_back(std::move(r));
  }
  nlohmann::json ArrivalsJson() const;
  void Comment(CommentRecord r) { comments_.push_back(std::move(r)); }
  const std::vector<CommentRecord>& comments() const { return comments_; }

  nlohmann::json ToJson() const;
  void Clear() { *this = SimLog(); }

 private:
  using Pair = std::pair<std::string, std::string>;
  std::map<Pair, std::int64_t> calls_, quota_errors_, faults_;
  std::map<std::string, std::int64_t> quota_windows_, auth_errors_;
  std::vector<UploadRecord> uploads_;
  std::vector<ArrivalRecord> arrivals_;
  std::vector<CommentRecord> comments_;
};

}  // namespace honeyvt::vtsim
