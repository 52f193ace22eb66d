#pragma once
// A small thread-safe metrics registry with the Prometheus text exposition format
// (version 0.0.4). Families are registered once with their label names; a child (one set
// of label values) is created on first use and lives as long as the registry, so the
// references With() returns stay valid. Increments are lock-free atomics; creating a child
// and rendering take the family's mutex.
//
//   MetricsRegistry registry;
//   auto& requests = registry.AddCounter("honeyvt_vt_requests_total", "VT requests", {"code"});
//   requests.With({"200"}).Inc();
//   std::string text = registry.Render();
//
// Label values must be bounded (never a hash, an IP or a URL): a family accepts at most
// kMaxChildren children; further label sets are folded into one child whose values are
// all "other". Collectors run at the start of Render() to refresh values read from
// elsewhere (databases, /proc).

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace honeyvt {

class Counter {
 public:
  void Inc(double by = 1) {
    if (by > 0) value_.fetch_add(by, std::memory_order_relaxed);
  }
  // Raises the counter to `total` if it is higher (values derived from a monotonic source).
  void SetAtLeast(double total);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  // Raises the gauge to `v` if it is higher (a maximum since the start).
  void SetMax(double v) {
    double seen = value_.load(std::memory_order_relaxed);
    while (v > seen && !value_.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
    }
  }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double v);
  // Cumulative counts per bound (the +Inf bucket is count()).
  std::vector<std::uint64_t> Buckets() const;
  std::uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

// One metric family: a name, help text, label names and its children.
template <typename T>
class Family {
 public:
  static constexpr std::size_t kMaxChildren = 500;
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        bounds_(std::move(bounds)) {}

  // The child for these label values (one per label name, in order).
  T& With(std::initializer_list<std::string_view> values);
  T& With(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  const std::vector<double>& bounds() const { return bounds_; }
  // Visits every child in label order under the family's lock.
  void ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& f) const;

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;  // guarded by mu_
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and be unique; label names
  // [a-zA-Z_][a-zA-Z0-9_]*. A bad or repeated name is a programming error (aborts).
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> labels = {});
  GaugeFamily& AddGauge(std::string name, std::string help, std::vector<std::string> labels = {});
  HistogramFamily& AddHistogram(std::string name, std::string help, std::vector<std::string> labels,
                                std::vector<double> bounds);

  // Called (in registration order, outside any family lock) at the start of Render().
  void AddCollector(std::function<void()> collect);

  // The exposition text: # HELP and # TYPE per family, then its samples.
  std::string Render();

 private:
  struct Entry {
    MetricType type;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
  };
  void CheckName(const std::string& name, const std::vector<std::string>& labels);
  std::mutex mu_;
  std::vector<Entry> entries_;                     // guarded by mu_
  std::vector<std::function<void()>> collectors_;  // guarded by mu_
  std::mutex render_mu_;                           // one Render at a time
};

// Text helpers of the exposition format (exposed for tests).
std::string EscapeLabelValue(std::string_view value);
std::string FormatMetricValue(double value);

// Gauges/counters of the current process from /proc/self (Linux): the standard
// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds, registered with a collector.
void RegisterProcessMetrics(MetricsRegistry& registry);

}  // namespace honeyvt
