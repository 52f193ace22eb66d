#!/usr/bin/env python3
"""Time to reclaim a killed worker's jobs (issue 17), with real honeyvt workers, vtsim
and PostgreSQL: a worker is killed with SIGKILL while it holds a job (vtsim answers its
lookup slowly); the time until another worker's sweep has freed the job is measured.

    bench/fleet_reclaim.py BUILD_DIR HEARTBEAT [RUNS]

HEARTBEAT as in the fleet_heartbeat option: 500ms (the tests' scaled setting) or 10s
(the default). A worker is presumed dead after 3 heartbeats without one AND once its
session lock is free; one sweep per heartbeat runs for the whole fleet. Needs the cluster
that bench/fleet.sh starts (HVT_PG_TEST_STATE).
"""
import json
import os
import signal
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from fleet_harness import Fleet  # noqa: E402


def one_run(build, heartbeat):
    md5s = ["%032x" % (0xbe000 + i) for i in range(40)]
    cat = os.path.join("/tmp", "honeyvt-reclaim-cat-%d.json" % os.getpid())
    with open(cat, "w") as f:
        json.dump([{"md5": m, "positives": 1, "total": 4} for m in md5s], f)
    fleet = Fleet(os.path.join(build, "src", "honeyvt"), os.path.join(build, "tools", "vtsim", "vtsim"),
                  "bench.reclaim", quota=["100/1s"], api=3, catalogue=cat,
                  settings=["comment=false", "refresh=false", "fleet_heartbeat=" + heartbeat])
    os.unlink(cat)
    try:
        s = fleet.sensor("a")
        s.enqueue_hashes(md5s)
        # Every lookup is answered after 60 s: a worker holds its job while it waits.
        body = json.dumps({"rules": ["slow=60000/api/v3/files"]}).encode()
        urllib.request.urlopen(urllib.request.Request(fleet.vtsim.url + "/_sim/faults", data=body,
                                                      method="POST"), timeout=10).read()
        victim = s.start()
        s.start()
        deadline = time.time() + 60
        while time.time() < deadline:
            pid = fleet.db.one("SELECT w.pid FROM honeyvt.jobs j JOIN honeyvt.workers w ON "
                               "w.worker_id = j.lease_owner WHERE w.pid = %d LIMIT 1" % victim.pid)
            if pid:
                break
            time.sleep(0.05)
        # Both workers are heart-beating; let the fleet settle into its rhythm.
        time.sleep(2)
        worker = fleet.db.one("SELECT worker_id FROM honeyvt.workers WHERE pid = %d" % victim.pid)
        os.kill(victim.pid, signal.SIGKILL)
        t0 = time.time()
        while time.time() - t0 < 300:
            if fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE lease_owner = %s" % worker) == "0":
                return time.time() - t0
            time.sleep(0.05)
        return float("nan")
    finally:
        fleet.close(True)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    build, heartbeat = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    times = [one_run(build, heartbeat) for _ in range(runs)]
    print("time to reclaim a killed worker's jobs, heartbeat %s: %s s (median %.1f s over %d runs)"
          % (heartbeat, ", ".join("%.1f" % t for t in times), statistics.median(times), runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
