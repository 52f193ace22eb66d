#include "core/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace honeyvt {
namespace {

bool ValidName(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void AppendHelp(std::string& out, const std::string& name, const std::string& help,
                std::string_view type) {
  out += "# HELP " + name + ' ';
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\n# TYPE " + name + ' ';
  out += type;
  out += '\n';
}

}  // namespace

void Counter::SetAtLeast(double total) {
  double cur = value_.load(std::memory_order_relaxed);
  while (total > cur && !value_.compare_exchange_weak(cur, total, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), counts_(new std::atomic<std::uint64_t>[bounds->size() + 1]) {
  for (std::size_t i = 0; i <= bounds_->size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  const auto it = std::lower_bound(bounds_->begin(), bounds_->end(), v);
  counts_[static_cast<std::size_t>(it - bounds_->begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::Buckets() const {
  std::vector<std::uint64_t> out(bounds_->size());
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < bounds_->size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

template <typename T>
T& Family<T>::With(std::initializer_list<std::string_view> values) {
  std::vector<std::string> v;
  v.reserve(values.size());
  for (auto s : values) v.emplace_back(s);
  return With(v);
}

template <typename T>
T& Family<T>::With(const std::vector<std::string>& values) {
  if (values.size() != labels_.size()) {
    std::fprintf(stderr, "metrics: %s wants %zu label values, got %zu\n", name_.c_str(),
                 labels_.size(), values.size());
    std::abort();
  }
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it != children_.end()) return *it->second;
  std::vector<std::string> key = values;
  if (children_.size() >= kMaxChildren) key.assign(labels_.size(), "other");
  auto& slot = children_[key];
  if (!slot) {
    if constexpr (std::is_same_v<T, Histogram>) {
      slot = std::make_unique<T>(&bounds_);
    } else {
      slot = std::make_unique<T>();
    }
  }
  return *slot;
}

template <typename T>
void Family<T>::ForEach(
    const std::function<void(const std::vector<std::string>&, const T&)>& f) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, child] : children_) f(values, *child);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

void MetricsRegistry::CheckName(const std::string& name, const std::vector<std::string>& labels) {
  bool ok = ValidName(name, true);
  for (const auto& e : entries_) {
    const std::string& other = e.counter ? e.counter->name()
                               : e.gauge ? e.gauge->name()
                                         : e.histogram->name();
    if (other == name) ok = false;
  }
  for (const auto& l : labels) ok = ok && ValidName(l, false) && l != "le";
  if (!ok) {
    std::fprintf(stderr, "metrics: bad or repeated metric name %s\n", name.c_str());
    std::abort();
  }
}

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  CheckName(name, labels);
  Entry e{MetricType::kCounter, {}, {}, {}};
  e.counter = std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(labels));
  entries_.push_back(std::move(e));
  return *entries_.back().counter;
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  CheckName(name, labels);
  Entry e{MetricType::kGauge, {}, {}, {}};
  e.gauge = std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(labels));
  entries_.push_back(std::move(e));
  return *entries_.back().gauge;
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> labels,
                                               std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  CheckName(name, labels);
  std::sort(bounds.begin(), bounds.end());
  Entry e{MetricType::kHistogram, {}, {}, {}};
  e.histogram = std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                                  std::move(labels), std::move(bounds));
  entries_.push_back(std::move(e));
  return *entries_.back().histogram;
}

void MetricsRegistry::AddCollector(std::function<void()> collect) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collect));
}

std::string MetricsRegistry::Render() {
  std::lock_guard render(render_mu_);
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
  }
  for (auto& c : collectors) c();
  std::lock_guard lock(mu_);
  std::string out;
  out.reserve(16384);
  for (const auto& e : entries_) {
    if (e.counter) {
      AppendHelp(out, e.counter->name(), e.counter->help(), "counter");
      e.counter->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
        out += e.counter->name();
        AppendLabels(out, e.counter->labels(), values);
        out += ' ' + FormatMetricValue(c.Value()) + '\n';
      });
    } else if (e.gauge) {
      AppendHelp(out, e.gauge->name(), e.gauge->help(), "gauge");
      e.gauge->ForEach([&](const std::vector<std::string>& values, const Gauge& g) {
        out += e.gauge->name();
        AppendLabels(out, e.gauge->labels(), values);
        out += ' ' + FormatMetricValue(g.Value()) + '\n';
      });
    } else {
      const HistogramFamily& f = *e.histogram;
      AppendHelp(out, f.name(), f.help(), "histogram");
      f.ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
        // A racing Observe may land between these reads; clamping each bucket to the
        // count keeps the buckets cumulative and never above +Inf.
        const std::uint64_t count = h.Count();
        const double sum = h.Sum();
        std::vector<std::uint64_t> buckets = h.Buckets();
        const std::vector<double>& bounds = f.bounds();
        for (std::size_t i = 0; i < buckets.size(); ++i) {
          out += f.name() + "_bucket";
          AppendLabels(out, f.labels(), values, "le", FormatMetricValue(bounds[i]));
          out += ' ' + FormatMetricValue(static_cast<double>(std::min(buckets[i], count))) + '\n';
        }
        out += f.name() + "_bucket";
        AppendLabels(out, f.labels(), values, "le", "+Inf");
        out += ' ' + FormatMetricValue(static_cast<double>(count)) + '\n';
        out += f.name() + "_sum";
        AppendLabels(out, f.labels(), values);
        out += ' ' + FormatMetricValue(sum) + '\n';
        out += f.name() + "_count";
        AppendLabels(out, f.labels(), values);
        out += ' ' + FormatMetricValue(static_cast<double>(count)) + '\n';
      });
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

}  // namespace honeyvt
