#include "tools/vtsim/sim_log.h"

namespace honeyvt::vtsim {
namespace {

using nlohmann::json;

json PairCounts(const std::map<std::pair<std::string, std::string>, std::int64_t>& m,
                const char* first, const char* second, std::int64_t& total) {
  json out = json::array();
  total = 0;
  for (const auto& [k, n] : m) {
    out.push_back({{first, k.first}, {second, k.second}, {"count", n}});
    total += n;
  }
  return out;
}

}  // namespace

json SimLog::ToJson() const {
  std::int64_t calls_total = 0, quota_total = 0, faults_total = 0, auth_total = 0;
  json out;
  out["calls"] = PairCounts(calls_, "key", "endpoint", calls_total);
  out["calls_total"] = calls_total;
  out["quota_errors"] = PairCounts(quota_errors_, "key", "endpoint", quota_total);
  out["quota_errors_total"] = quota_total;
  out["quota_errors_by_window"] = quota_windows_;
  out["faults_served"] = PairCounts(faults_, "kind", "endpoint", faults_total);
  out["faults_served_total"] = faults_total;
  for (const auto& [endpoint, n] : auth_errors_) auth_total += n;
  out["auth_errors"] = auth_errors_;
  out["auth_errors_total"] = auth_total;
  json uploads = json::array();
  for (const UploadRecord& u : uploads_) {
    uploads.push_back({{"key", u.key_label},
                       {"via", u.via},
                       {"md5", u.md5},
                       {"sha1", u.sha1},
                       {"sha256", u.sha256},
                       {"size", u.size},
                       {"filename", u.filename},
                       {"date", u.date}});
  }
  out["uploads"] = uploads;
  json comments = json::array();
  for (const CommentRecord& c : comments_) {
    comments.push_back({{"key", c.key_label},
                        {"api", c.api},
                        {"sha256", c.sha256},
                        {"text", c.text},
                        {"date", c.date}});
  }
  out["comments"] = comments;
  return out;
}

json SimLog::ArrivalsJson() const {
  json list = json::array();
  for (const ArrivalRecord& a : arrivals_) {
    list.push_back({{"at", a.at},
                    {"key", a.key_label},
                    {"endpoint", a.endpoint},
                    {"target", a.target},
                    {"cost", a.cost},
                    {"admitted", a.admitted},
                    {"refused_by", a.refused_by}});
  }
  return json{{"arrivals", list}, {"truncated", arrivals_.size() >= kMaxArrivals}};
}

}  // namespace honeyvt::vtsim
