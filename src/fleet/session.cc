#include "fleet/session.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace honeyvt::fleet {

using Steady = std::chrono::steady_clock;

namespace {

constexpr const char* kChannels[] = {"honeyvt_work", "honeyvt_upload", "honeyvt_quota",
                                     "honeyvt_verdict"};

}  // namespace

Result<std::unique_ptr<Session>> Session::Start(pg::FleetDb db, DbClock& clock,
                                                std::filesystem::path logsql,
                                                SessionOptions options, SessionHooks hooks) {
  RETURN_IF_ERROR(db.HoldWorkerLock());
  for (const char* ch : kChannels) RETURN_IF_ERROR(db.connection().Listen(ch));
  std::unique_ptr<Session> s(
      new Session(std::move(db), clock, std::move(logsql), options, std::move(hooks)));
  RETURN_IF_ERROR(s->Calibrate());
  s->thread_ = std::jthread([p = s.get()](std::stop_token stop) { p->Run(stop); });
  return s;
}

Session::Session(pg::FleetDb db, DbClock& clock, std::filesystem::path logsql,
                 SessionOptions options, SessionHooks hooks)
    : db_(std::move(db)),
      clock_(&clock),
      options_(options),
      hooks_(std::move(hooks)),
      mirror_(db_, std::move(logsql), clock) {}

Session::~Session() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

Status Session::Calibrate() {
  const TimePoint sent = clock_->local().Now();
  ASSIGN_OR_RETURN(TimePoint db_now, db_.DatabaseNow());
  const TimePoint received = clock_->local().Now();
  const auto before = clock_->Offset();
  clock_->Calibrate(db_now, sent, received);
  const auto drift = std::chrono::abs(clock_->Offset() - before);
  if (drift > std::chrono::seconds(5)) {
    spdlog::info(
        "fleet: this host's clock is {} s {} the database's; the worker uses the "
        "database's time",
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::abs(clock_->Offset()))
            .count(),
        clock_->Offset().count() > 0 ? "behind" : "ahead of");
  }
  return OkStatus();
}

Status Session::Tick(std::stop_token stop, bool mirror_now) {
  RETURN_IF_ERROR(db_.Heartbeat());
  RETURN_IF_ERROR(Calibrate());
  // One sweep per heartbeat for the whole fleet (whoever comes first).
  ASSIGN_OR_RETURN(int reclaimed,
                   db_.Sweep(options_.heartbeat * 3, options_.crash_limit, options_.heartbeat / 2));
  if (reclaimed > 0) {
    spdlog::info("fleet: reclaimed {} job(s) of dead or stalled workers", reclaimed);
    if (hooks_.wake) hooks_.wake();
  }
  if (options_.mirror && mirror_now) {
    auto written = mirror_.Sync(stop);
    if (!written && written.error().code == ErrorCode::kTransient)
      return std::move(written).error();
    if (!written) {
      spdlog::warn("fleet: local logsql mirror: {} (retrying)", written.error().ToString());
    } else if (*written > 0) {
      spdlog::info("fleet: {} verdict(s) mirrored into the local logsql", *written);
    }
  }
  return OkStatus();
}

void Session::Run(std::stop_token stop) {
  auto next_tick = Steady::now();
  bool mirror_due = true;
  auto pause = std::chrono::milliseconds(500);
  bool down = false;
  while (!stop.stop_requested()) {
    if (down) {
      // Reconnect: a new session, the lock again, LISTEN again (Connection renews its
      // channels), then one poll by the daemon for whatever was missed.
      if (const auto now = Steady::now(); now < next_tick) {
        std::this_thread::sleep_for(
            std::min<Steady::duration>(next_tick - now, std::chrono::milliseconds(200)));
        continue;
      }
      if (Status st = db_.EnsureConnected(); !st) {
        next_tick = Steady::now() + pause;
        pause = std::min(pause * 2, std::chrono::milliseconds(30000));
        continue;
      }
      spdlog::info("fleet: database reachable again; resuming");
      down = false;
      pause = std::chrono::milliseconds(500);
      mirror_due = true;
      next_tick = Steady::now();
      if (hooks_.quota_changed) hooks_.quota_changed();
      if (hooks_.wake) hooks_.wake();
    }
    if (Steady::now() >= next_tick) {
      Status st = Tick(stop, mirror_due);
      if (!st && st.error().code == ErrorCode::kTransient) {
        spdlog::warn("fleet: database unreachable ({}); retrying", st.error().message);
        down = true;
        next_tick = Steady::now() + pause;
        continue;
      }
      if (!st) spdlog::warn("fleet: {}", st.error().ToString());
      mirror_due = false;
      next_tick = Steady::now() + options_.heartbeat;
    }
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Steady::now());
    auto notes =
        db_.connection().WaitForNotifications(std::max(wait, std::chrono::milliseconds(1)), stop);
    if (!notes) {
      spdlog::warn("fleet: database unreachable ({}); retrying", notes.error().message);
      down = true;
      next_tick = Steady::now() + pause;
      continue;
    }
    bool wake = false;
    for (const auto& n : *notes) {
      if (n.channel == "honeyvt_verdict") {
        mirror_due = true;
        next_tick = Steady::now();  // mirror now, heartbeat early (cheap)
      } else if (n.channel == "honeyvt_quota") {
        if (hooks_.quota_changed) hooks_.quota_changed();
        wake = true;
      } else {
        wake = true;
      }
    }
    if (wake && hooks_.wake) hooks_.wake();
  }
}

}  // namespace honeyvt::fleet
