// The baseline: dionaea's fixed 20-second tick (DIONAEA-FACTS §7), bugs fixed so that it
// finishes (a refused or failed request leaves the row where it was, to be tried again).
#include <chrono>
#include <deque>
#include <map>

#include "domain/hash.h"
#include "schedule/runs.h"
#include "schedule/sim_vt.h"

namespace honeyvt::bench {
namespace {

using std::chrono::seconds;

struct Row {
  const SimSample* sample;
  TimePoint submitted{}, checked{};
};

domain::Hash HashOf(const SimSample& s) { return *domain::Hash::Parse(s.md5); }

}  // namespace

RunResult RunFixedTick(const Scenario& sc) {
  const auto started = std::chrono::steady_clock::now();
  RunResult out;
  out.policy = "fixed-tick";
  FakeClock clock(sc.start, false);
  SimVt vt(clock, sc.api_version, *vtsim::ParseQuota(QuotaSpec(sc)));
  std::vector<Row> fresh_rows;  // `new`, newest last (served newest first)
  std::deque<Row> submit, comment, query;
  std::vector<const SimSample*> arrivals;
  for (const SimSample& s : sc.samples) {
    vt.Add(s, s.known ? "" : "sim/" + s.md5);
    if (s.fresh) {
      arrivals.push_back(&s);
    } else {
      fresh_rows.push_back(Row{&s});
    }
  }
  std::size_t next_arrival = 0;
  const TimePoint horizon = sc.horizon.count() > 0 ? sc.start + sc.horizon : TimePoint::max();
  std::size_t pending = fresh_rows.size();
  auto verdict = [&](const SimSample& s) {
    out.verdicts.push_back(Verdict{s.md5, clock.Now(), vt.UploadedAt(s.md5)});
    --pending;
  };
  for (TimePoint t = sc.start; t < horizon; t += seconds(20)) {
    clock.Set(t);
    while (next_arrival < arrivals.size() && arrivals[next_arrival]->arrives <= t) {
      fresh_rows.push_back(Row{arrivals[next_arrival++]});
      ++pending;
    }
    if (pending == 0 && next_arrival == arrivals.size()) break;
    // One request per tick; the first rule that has a row wins.
    if (!comment.empty() && comment.front().submitted < t - seconds(60)) {
      Row r = comment.front();
      comment.pop_front();
      auto ack = vt.AddComment(HashOf(*r.sample), "captured by dionaea");
      if (ack || ack.error().code == ErrorCode::kNotFound) {
        query.push_back(r);  // dionaea gives up on a comment VirusTotal refuses
      } else {
        comment.push_front(r);
      }
    } else if (!query.empty() && query.front().submitted < t - seconds(900) &&
               query.front().checked < t - seconds(900)) {
      Row r = query.front();
      query.pop_front();
      auto a = vt.GetAnalysis("a-" + r.sample->md5);
      if (a && a->status == domain::AnalysisStatus::kCompleted) {
        verdict(*r.sample);
      } else {
        if (a) r.checked = t;
        query.push_back(r);
      }
    } else if (!submit.empty()) {
      Row r = submit.front();
      submit.pop_front();
      if (vt.UploadFile({nullptr, r.sample->md5})) {
        r.submitted = t;
        comment.push_back(r);
      } else {
        submit.push_front(r);
      }
    } else if (!fresh_rows.empty()) {
      Row r = fresh_rows.back();
      fresh_rows.pop_back();
      auto report = vt.GetFileReport(HashOf(*r.sample));
      if (report && !report->engines.empty()) {
        verdict(*r.sample);
      } else if (!report && report.error().code == ErrorCode::kNotFound) {
        r.checked = t;
        submit.push_back(r);
      } else {
        fresh_rows.push_back(r);
      }
    }
  }
  out.calls = vt.counts();
  out.uploads = vt.counts().uploaded;
  out.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace honeyvt::bench
