#include "core/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace honeyvt {
namespace {

TEST(MetricsTest, RendersCountersGaugesWithHelpTypeAndLabels) {
  MetricsRegistry r;
  auto& c = r.AddCounter("x_requests_total", "Requests.\nSecond line", {"code", "api"});
  c.With({"200", "v3"}).Inc();
  c.With({"200", "v3"}).Inc(2);
  c.With({"4\"0\\4\n", "v2"});
  r.AddGauge("x_items", "Items.").With({}).Set(7.5);
  const std::string text = r.Render();
  EXPECT_NE(text.find("# HELP x_requests_total Requests.\\nSecond line\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE x_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("x_requests_total{code=\"200\",api=\"v3\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("x_requests_total{code=\"4\\\"0\\\\4\\n\",api=\"v2\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE x_items gauge\nx_items 7.5\n"), std::string::npos);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry r;
  auto& h = r.AddHistogram("x_duration_seconds", "Latency.", {"endpoint"}, {1, 0.1, 10});
  auto& child = h.With({"upload"});
  child.Observe(0.05);
  child.Observe(0.1);  // le is inclusive
  child.Observe(5);
  child.Observe(50);
  const std::string text = r.Render();
  EXPECT_NE(
      text.find("x_duration_seconds_bucket{endpoint=\"upload\",le=\"0.10000000000000001\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("x_duration_seconds_bucket{endpoint=\"upload\",le=\"1\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("x_duration_seconds_bucket{endpoint=\"upload\",le=\"10\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("x_duration_seconds_bucket{endpoint=\"upload\",le=\"+Inf\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("x_duration_seconds_count{endpoint=\"upload\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("x_duration_seconds_sum{endpoint=\"upload\"} 55.149999999999999\n"),
            std::string::npos);
}

TEST(MetricsTest, UnboundedLabelValuesFoldIntoOther) {
  MetricsRegistry r;
  auto& c = r.AddCounter("x_total", "X.", {"id"});
  for (int i = 0; i < 1000; ++i) c.With({std::to_string(i)}).Inc();
  int children = 0;
  double other = 0;
  c.ForEach([&](const std::vector<std::string>& v, const Counter& k) {
    ++children;
    if (v[0] == "other") other = k.Value();
  });
  EXPECT_EQ(children, 501);
  EXPECT_EQ(other, 500);
}

TEST(MetricsTest, CollectorsRunBeforeRenderAndSetAtLeastIsMonotonic) {
  MetricsRegistry r;
  auto& c = r.AddCounter("x_rows_total", "Rows.");
  double source = 5;
  r.AddCollector([&] { c.With({}).SetAtLeast(source); });
  EXPECT_NE(r.Render().find("x_rows_total 5\n"), std::string::npos);
  source = 3;  // a source that went backwards never lowers a counter
  EXPECT_NE(r.Render().find("x_rows_total 5\n"), std::string::npos);
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  MetricsRegistry r;
  auto& c = r.AddCounter("x_total", "X.", {"k"});
  auto& h = r.AddHistogram("x_seconds", "X.", {}, {1});
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.With({"a"}).Inc();
        h.With({}).Observe(0.5);
      }
    });
  }
  threads.clear();
  EXPECT_EQ(c.With({"a"}).Value(), 40000);
  EXPECT_EQ(h.With({}).Count(), 40000u);
}

TEST(MetricsTest, ProcessMetricsArePresent) {
  MetricsRegistry r;
  RegisterProcessMetrics(r);
  const std::string text = r.Render();
  for (const char* name :
       {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
        "process_max_fds ", "process_start_time_seconds ", "process_virtual_memory_bytes "}) {
    EXPECT_NE(text.find(std::string("\n") + name), std::string::npos) << name;
  }
}

TEST(MetricsTest, GaugeSetMaxKeepsTheHighestValueAcrossThreads) {
  Gauge g;
  g.SetMax(0.5);
  g.SetMax(0.25);
  EXPECT_EQ(g.Value(), 0.5);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&g, t] {
      for (int i = 0; i < 1000; ++i) g.SetMax(t * 1000 + i);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(g.Value(), 3999);
}

TEST(MetricsTest, FormatsValues) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(12345678), "12345678");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(1.0 / 0.0), "+Inf");
}

}  // namespace
}  // namespace honeyvt
