#!/usr/bin/env python3
"""Fleet scenarios with real honeyvt worker processes against vtsim and a real
PostgreSQL (docs/fleet.md, "Tests"). Usage:

    fleet_scenarios_test.py HONEYVT VTSIM SCENARIO [--runs N]

Scenarios: exclusivity, shared_quota, kill_upload, sigstop, holder_offline, db_restart,
clock_skew, quota_reply, same_md5, bad_input, migrate_state. Exit 0 when every check
passed, 1 otherwise, 77 (skipped) without a PostgreSQL cluster (never in CI).
"""
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleet_harness import (TEST_KEY, Checks, Fleet, busiest_use, restart_cluster,  # noqa: E402
                           window_overruns)


def samples(n, seed, prefix=b"fleet sample"):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        data = prefix + b" %d %d\n" % (seed, i) + bytes(rng.getrandbits(8) for _ in range(64))
        out.append((hashlib.md5(data).hexdigest(), data))
    return out


def catalogue(workdir, known, total=60):
    path = os.path.join(workdir, "catalogue.json")
    with open(path, "w") as f:
        json.dump([{"md5": m, "positives": min(3, total), "total": total} for m in known], f)
    return path


def ledger_sent(fleet):
    return int(fleet.db.one("SELECT count(*) FROM honeyvt.quota_ledger WHERE cost > 0"))


def per_md5_rows(fleet):
    return fleet.db.rows("SELECT virustotal_md5_hash, count(*) FROM dionaea.virustotals "
                         "GROUP BY 1 HAVING count(*) > 1")


def lookups_of(arrivals, md5):
    return [a for a in arrivals if md5 in a["target"] and
            a["endpoint"] in ("v2 file/report", "GET /api/v3/files/{id}")]


# --- scenarios -------------------------------------------------------------------------

def exclusivity(honeyvt, vtsim, c):
    """5,000 known samples, 8 worker processes on 4 sensors: every job completed exactly
    once (one lookup each at vtsim, one report each, none left leased)."""
    n, workers = 5000, 8
    md5s = ["%032x" % (0x5eed0000 + i) for i in range(n)]
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, md5s, total=4)  # small reports: the test is about claims
    fleet = Fleet(honeyvt, vtsim, "fleet.exclusivity", quota=["100000/1s"], vtsim_quota="none",
                  catalogue=cat, api=3, settings=["comment=false", "refresh=false"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        sensors = [fleet.sensor("s%d" % i) for i in range(4)]
        for i, s in enumerate(sensors):
            s.enqueue_hashes(md5s[i::4])
        t0 = time.time()
        for i in range(workers):
            sensors[i % 4].start()
        c.true("all done", fleet.wait_done(n, 600))
        elapsed = time.time() - t0
        fleet.stop()
        arrivals = fleet.arrivals()
        per = {}
        for a in arrivals:
            per[a["target"].rsplit("/", 1)[-1]] = per.get(a["target"].rsplit("/", 1)[-1], 0) + 1
        c.eq("lookups at vtsim", len(arrivals), n)
        c.eq("md5s looked up more than once", sum(1 for v in per.values() if v > 1), 0)
        c.eq("reports", int(fleet.db.one("SELECT count(*) FROM honeyvt.reports")), n)
        c.eq("distinct reported md5s",
             int(fleet.db.one("SELECT count(DISTINCT md5) FROM honeyvt.reports")), n)
        c.eq("leases left", int(fleet.db.one(
            "SELECT count(*) FROM honeyvt.jobs WHERE lease_owner IS NOT NULL")), 0)
        c.eq("ledger rows = requests", ledger_sent(fleet), len(arrivals))
        by_worker = fleet.db.rows("SELECT worker_id, count(*) FROM honeyvt.reports GROUP BY 1")
        c.eq("workers that completed jobs", len(by_worker), workers)
        print("exclusivity: %d jobs by %d workers in %.1f s (%s per worker)" %
              (n, workers, elapsed, sorted(int(r[1]) for r in by_worker)))
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def shared_quota_once(honeyvt, vtsim, c, seed, report):
    """6 workers on 3 sensors, 300 samples (240 known, 60 uploaded), v2 with batches:
    0 quota errors at vtsim, no window over its limit in vtsim's arrival log, the binding
    window used >= 90 % while work waits, reservations = requests."""
    quota = ["4/1s", "30/10s"]  # the 10 s "day" binds: 3 requests/s against 4
    files = samples(300, seed)
    known = [m for m, _ in files[:240]]
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, known)
    fleet = Fleet(honeyvt, vtsim, "fleet.shared_quota", quota=quota, catalogue=cat, api=2,
                  analysis_delay=2, settings=["comment=true", "refresh=false"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        sensors = [fleet.sensor("s%d" % i) for i in range(3)]
        for i, (md5, data) in enumerate(files):
            holder = sensors[i % 3]
            holder.add_file(data)
        for s in sensors:
            s.enqueue([os.path.join(s.binaries, f) for f in sorted(os.listdir(s.binaries))])
        t0 = time.time()
        for i in range(6):
            sensors[i % 3].start()
        c.true("all done", fleet.wait_done(300, 400))
        fleet.stop()
        arrivals = fleet.arrivals()
        log = fleet.vtsim.log()
        c.eq("quota errors at vtsim", log["quota_errors_total"], 0)
        c.eq("1 s windows over 4", window_overruns(arrivals, 1.0, 4), 0)
        c.eq("10 s windows over 30", window_overruns(arrivals, 10.0, 30), 0)
        c.eq("reservations = requests", ledger_sent(fleet), len(arrivals))
        c.eq("md5s with two current reports", per_md5_rows(fleet), [])
        c.eq("done", int(fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE state='done'")), 300)
        # While work waited: from the first request to the moment the last sample was
        # uploaded (after that only polls and comments of the last ones remain).
        first = min(a["at"] for a in arrivals)
        uploads = [a["at"] for a in arrivals if a["endpoint"] == "v2 file/scan"]
        busy_end = max(uploads) if uploads else max(a["at"] for a in arrivals)
        use = busiest_use(arrivals, 10.0, 30, first, busy_end)
        c.true("binding window used >= 90 %% (%.1f %%)" % (100 * use), use >= 0.90)
        # Every sensor's logsql has the verdicts of what it sighted.
        for i, s in enumerate(sensors):
            mine = {files[k][0] for k in range(i, 300, 3)}
            local = s.local_verdicts()
            missing = [m for m in mine if m not in local]
            c.eq("verdicts missing in %s's logsql" % s.name, len(missing), 0)
        report.append((len(arrivals), log["quota_errors_total"],
                       window_overruns(arrivals, 1.0, 4) + window_overruns(arrivals, 10.0, 30),
                       use, time.time() - t0))
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def shared_quota(honeyvt, vtsim, c, runs=1):
    report = []
    for r in range(runs):
        shared_quota_once(honeyvt, vtsim, c, 1000 + r, report)
    for i, (req, errs, over, use, secs) in enumerate(report):
        print("shared quota run %d: %d requests, %d quota errors, %d windows over, binding "
              "window used %.1f %%, %.0f s" % (i + 1, req, errs, over, 100 * use, secs))


def kill_upload(honeyvt, vtsim, c):
    """kill -9 a worker in the middle of an upload (vtsim holds uploads 3 s): its jobs are
    reclaimed within a few seconds, the sample is looked up next, at most one repeated
    request for it, exactly one report row per md5."""
    files = samples(8, 7)
    fleet = Fleet(honeyvt, vtsim, "fleet.kill_upload", quota=["20/1s"], api=2,
                  analysis_delay=1, faults=["slow=3000/vtapi/v2/file/scan"],
                  settings=["comment=false", "refresh=false"])
    ok = False
    try:
        a, b = fleet.sensor("a"), fleet.sensor("b")
        for i, (md5, data) in enumerate(files):
            a.add_file(data)
            if i % 2 == 0:
                b.add_file(data)  # a second holder for half of them
        a.enqueue([os.path.join(a.binaries, m) for m, _ in files])
        b.enqueue([os.path.join(b.binaries, m) for m, d in files[::2]])
        for s in (a, a, b, b):
            s.start()
        victim = None
        deadline = time.time() + 60
        while victim is None and time.time() < deadline:
            rows = fleet.db.rows("SELECT j.md5, w.pid, w.worker_id FROM honeyvt.jobs j JOIN "
                                 "honeyvt.workers w ON w.worker_id = j.lease_owner WHERE "
                                 "j.state = 'upload' LIMIT 1")
            if rows and any(x["endpoint"] == "v2 file/scan" for x in fleet.arrivals()):
                victim = rows[0]
            else:
                time.sleep(0.1)
        c.true("an upload was caught in flight", victim is not None)
        if victim:
            md5, pid, worker = victim[0], int(victim[1]), victim[2]
            os.kill(pid, signal.SIGKILL)
            killed_at = time.time()
            while time.time() - killed_at < 30:
                left = fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE lease_owner = %s" % worker)
                if left == "0":
                    break
                time.sleep(0.1)
            reclaim = time.time() - killed_at
            print("kill -9: the dead worker's jobs were reclaimed after %.1f s" % reclaim)
            c.true("reclaimed within 5 s (%.1f s)" % reclaim, reclaim < 5)
            c.true("all done", fleet.wait_done(len(files), 120))
            fleet.stop()
            arrivals = fleet.arrivals()
            after = [x for x in arrivals if md5 in x["target"]]
            uploads = [x for x in arrivals if x["endpoint"] == "v2 file/scan"]
            c.true("at most one repeated upload of the killed sample",
                   len(uploads) <= len(files) + 1)
            c.eq("md5s with two current reports", per_md5_rows(fleet), [])
            c.eq("done", int(fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE state='done'")),
                 len(files))
            crashed = fleet.db.one("SELECT crash_count FROM honeyvt.jobs WHERE md5 = '%s'" % md5)
            c.true("the killed job moved on (crash count reset)", crashed == "0")
            # After the kill, the sample's next request was a lookup (v2 file/report of its
            # md5), not a blind second upload.
            killed_ts = fleet.db.one(
                "SELECT extract(epoch FROM stopped_at) FROM honeyvt.workers WHERE worker_id = %s"
                % worker)
            later = [x for x in after if killed_ts and x["at"] > float(killed_ts)]
            c.true("the next request for the sample is a lookup",
                   bool(later) and later[0]["endpoint"] == "v2 file/report",
                   str([x["endpoint"] for x in later[:3]]))
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def sigstop(honeyvt, vtsim, c):
    """SIGSTOP a worker past its lease while it waits for VirusTotal, let another finish
    the job, SIGCONT: its stale result is refused and writes nothing."""
    md5 = "%032x" % 0xfeed
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, [md5])
    fleet = Fleet(honeyvt, vtsim, "fleet.sigstop", quota=["20/1s"], api=3, catalogue=cat,
                  settings=["comment=false", "refresh=false", "fleet_lease=2s"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        a = fleet.sensor("a")
        a.enqueue_hashes([md5])
        # The first lookup is answered after 4 s; later ones at once.
        body = json.dumps({"sequence": ["slow=4000"]}).encode()
        urllib.request.urlopen(urllib.request.Request(fleet.vtsim.url + "/_sim/faults", data=body,
                                                      method="POST"), timeout=10).read()
        first = a.start()
        pid = None
        deadline = time.time() + 30
        while pid is None and time.time() < deadline:
            if fleet.arrivals():
                pid = fleet.db.one("SELECT w.pid FROM honeyvt.jobs j JOIN honeyvt.workers w ON "
                                   "w.worker_id = j.lease_owner")
            time.sleep(0.05)
        c.true("the worker holds the job while VirusTotal answers", pid is not None)
        os.kill(first.pid, signal.SIGSTOP)
        second = a.start()
        c.true("another worker finished the job", fleet.wait_done(1, 60))
        time.sleep(1)
        os.kill(first.pid, signal.SIGCONT)
        time.sleep(3)
        a.stop()
        c.eq("report rows of the sample", int(fleet.db.one("SELECT count(*) FROM honeyvt.reports")), 1)
        c.eq("current rows of the sample",
             int(fleet.db.one("SELECT count(*) FROM dionaea.virustotals")), 1)
        log = open(first.log_path).read()
        c.true("the stale worker was refused", "lease lost" in log, log[-2000:])
        c.eq("job done", fleet.db.one("SELECT state FROM honeyvt.jobs"), "done")
        c.eq("ledger rows = requests", ledger_sent(fleet), len(fleet.arrivals()))
        del second
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def holder_offline(honeyvt, vtsim, c):
    """The sensor holding the only copies goes offline: the other keeps doing lookups and
    polls, the uploads wait (shown by status --fleet), and drain when it returns."""
    only_a = samples(6, 11)
    shared = samples(3, 12, prefix=b"shared sample")
    known = ["%032x" % (0xabc0 + i) for i in range(12)]
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, known)
    fleet = Fleet(honeyvt, vtsim, "fleet.holder_offline", quota=["20/1s"], api=2, catalogue=cat,
                  settings=["comment=false", "refresh=false"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        a, b = fleet.sensor("holder"), fleet.sensor("other")
        # The holder is online, then goes away (a clean stop: its worker row says so).
        a.start()
        deadline = time.time() + 20
        while time.time() < deadline and fleet.db.one(
                "SELECT count(*) FROM honeyvt.workers WHERE stopped_at IS NULL") != "1":
            time.sleep(0.1)
        a.stop()
        # What it caught before going: 6 samples only it holds, 3 that b holds too.
        for _, data in only_a + shared:
            a.add_file(data)
        for _, data in shared:
            b.add_file(data)
        a.enqueue([os.path.join(a.binaries, m) for m, _ in only_a + shared])
        b.enqueue([os.path.join(b.binaries, m) for m, _ in shared])
        b.enqueue_hashes([m for m, _ in only_a] + known)
        b.start()
        want_done = len(known) + len(shared)
        deadline = time.time() + 90
        while time.time() < deadline:
            n = int(fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE state = 'done'"))
            up = int(fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE state = 'upload'"))
            if n >= want_done and up == len(only_a):
                break
            time.sleep(0.5)
        c.eq("lookups and polls went on without the holder",
             int(fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE state = 'done'")), want_done)
        c.eq("uploads waiting", int(fleet.db.one(
            "SELECT count(*) FROM honeyvt.jobs WHERE state = 'upload'")), len(only_a))
        uploaded = {u["md5"] for u in fleet.vtsim.log()["uploads"]}
        c.eq("uploads of the holder's samples while it was away",
             len(uploaded & {m for m, _ in only_a}), 0)
        c.eq("uploads of the shared samples by the other sensor", len(uploaded), len(shared))
        st = json.loads(b.cmd("status", "--fleet", "--json").stdout)
        c.eq("status --fleet: waiting for a holder", st["waiting_for_holder"], len(only_a))
        text = b.cmd("status", "--fleet").stdout
        c.true("status --fleet names the wait", "waiting for a holder" in text and
               "waiting for a holder (no live worker of a sensor with the file may upload): 6"
               in text, text)
        a.start()
        c.true("all done once the holder is back",
               fleet.wait_done(len(only_a) + len(shared) + len(known), 90))
        c.eq("uploads", len(fleet.vtsim.log()["uploads"]), len(only_a) + len(shared))
        fleet.stop()
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def db_restart(honeyvt, vtsim, c):
    """The database restarts mid-run: workers reconnect and carry on; nothing lost, no
    overrun, the ledger still equals vtsim's requests."""
    files = samples(40, 21)
    known = [m for m, _ in files[:30]]
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, known)
    fleet = Fleet(honeyvt, vtsim, "fleet.db_restart", quota=["4/1s", "20/5s"], api=2,
                  catalogue=cat, settings=["comment=false", "refresh=false"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        a, b = fleet.sensor("a"), fleet.sensor("b")
        for i, (_, data) in enumerate(files):
            (a if i % 2 else b).add_file(data)
        for s in (a, b):
            s.enqueue([os.path.join(s.binaries, f) for f in sorted(os.listdir(s.binaries))])
        for s in (a, a, b, b):
            s.start()
        time.sleep(4)
        restart_cluster(fleet.root)
        c.true("all done after the restart", fleet.wait_done(len(files), 180))
        fleet.stop()
        arrivals = fleet.arrivals()
        c.eq("quota errors", fleet.vtsim.log()["quota_errors_total"], 0)
        c.eq("windows over", window_overruns(arrivals, 1.0, 4) + window_overruns(arrivals, 5.0, 20), 0)
        c.eq("ledger rows = requests", ledger_sent(fleet), len(arrivals))
        c.eq("md5s with two current reports", per_md5_rows(fleet), [])
        logs = "".join(open(path).read() for s in (a, b) for path in s.logs)
        c.true("the workers saw the database go and come back",
               "database unreachable" in logs and "reachable again" in logs)
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def clock_skew(honeyvt, vtsim, c):
    """A worker whose clock is 10 minutes fast (faketime) does not overspend."""
    if shutil.which("faketime") is None:
        if os.environ.get("CI") == "true":
            c.true("faketime installed (scripts/bootstrap)", False)
            return
        print("SKIPPED: faketime is not installed (Debian package faketime; scripts/bootstrap)")
        sys.exit(77)
    files = samples(40, 31)
    known = [m for m, _ in files]
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, known)
    fleet = Fleet(honeyvt, vtsim, "fleet.clock_skew", quota=["3/1s", "12/5s"], api=3,
                  catalogue=cat, settings=["comment=false", "refresh=false"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        a = fleet.sensor("a")
        a.enqueue_hashes(known)
        a.start(prefix=["faketime", "-f", "+10m"], log_name="skewed.log")
        a.start()
        a.start(prefix=["faketime", "-f", "-10m"], log_name="slow.log")
        c.true("all done", fleet.wait_done(len(files), 120))
        fleet.stop()
        arrivals = fleet.arrivals()
        c.eq("quota errors", fleet.vtsim.log()["quota_errors_total"], 0)
        c.eq("windows over", window_overruns(arrivals, 1.0, 3) + window_overruns(arrivals, 5.0, 12), 0)
        by_worker = fleet.db.rows("SELECT worker_id, count(*) FROM honeyvt.quota_ledger "
                                  "WHERE cost > 0 GROUP BY 1")
        c.eq("workers that made requests", len(by_worker), 3)
        skewed = open(os.path.join(a.dir, "skewed.log")).read()
        c.true("the skewed worker noticed its clock", "database's time" in skewed, skewed[-1500:])
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def quota_reply(honeyvt, vtsim, c):
    """Someone outside the fleet spends the key: vtsim answers 429 while the ledger has
    room. At most one quota reply per worker before the fleet-wide block takes hold, no
    attempt spent, work resumes when the window reopens."""
    known = ["%032x" % (0xdef0 + i) for i in range(30)]
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, known)
    fleet = Fleet(honeyvt, vtsim, "fleet.quota_reply", quota=["4/2s"], api=3, catalogue=cat,
                  settings=["comment=false", "refresh=false"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        a, b = fleet.sensor("a"), fleet.sensor("b")
        a.enqueue_hashes(known[:15])
        b.enqueue_hashes(known[15:])
        workers = [a.start(), a.start(), b.start(), b.start()]
        time.sleep(3)
        # Another program spends the key's whole window at vtsim.
        req = urllib.request.Request(fleet.vtsim.url + "/_sim/spend?units=4", data=b"",
                                     headers={"x-apikey": TEST_KEY}, method="POST")
        urllib.request.urlopen(req, timeout=10).read()
        c.true("all done", fleet.wait_done(len(known), 120))
        fleet.stop()
        arrivals = fleet.arrivals()
        errors = sum(1 for a in arrivals if not a["admitted"])
        print("quota replies received by the fleet: %d (4 workers)" % errors)
        c.true("at least one quota reply", errors >= 1)
        c.true("at most one quota reply per worker", errors <= len(workers), str(errors))
        c.eq("attempts spent", int(fleet.db.one("SELECT coalesce(sum(attempts), 0) FROM honeyvt.jobs")), 0)
        c.true("the key was blocked", fleet.db.one("SELECT block_level FROM honeyvt.api_keys") != "0")
        c.eq("ledger quota outcomes", int(fleet.db.one(
            "SELECT count(*) FROM honeyvt.quota_ledger WHERE outcome = 'quota'")), errors)
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def same_md5(honeyvt, vtsim, c):
    """The same file caught by 3 sensors at the same moment: 1 job, 3 sightings, 1 lookup,
    and each sensor's logsql gets the verdict."""
    md5 = hashlib.md5(b"the same worm\n").hexdigest()
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, [md5])
    fleet = Fleet(honeyvt, vtsim, "fleet.same_md5", quota=["4/1s"], api=2, catalogue=cat,
                  settings=["comment=false", "refresh=false"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        sensors = [fleet.sensor("s%d" % i) for i in range(3)]
        paths = [s.add_file(b"the same worm\n") for s in sensors]
        procs = [subprocess.Popen([honeyvt, "enqueue"] + s.sets() + ["--", p], env=s.env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for s, p in zip(sensors, paths)]
        codes = [p.wait() for p in procs]
        c.eq("enqueues", codes, [0, 0, 0])
        c.eq("jobs", int(fleet.db.one("SELECT count(*) FROM honeyvt.jobs")), 1)
        c.eq("sightings with the file", int(fleet.db.one(
            "SELECT count(*) FROM honeyvt.sightings WHERE has_file")), 3)
        for s in sensors:
            s.start()
        c.true("done", fleet.wait_done(1, 60))
        deadline = time.time() + 20
        while time.time() < deadline and not all(md5 in s.local_verdicts() for s in sensors):
            time.sleep(0.3)
        fleet.stop()
        c.eq("lookups of the md5 at vtsim", len(lookups_of(fleet.arrivals(), md5)), 1)
        for s in sensors:
            c.eq("verdict in %s's logsql" % s.name, s.local_verdicts().get(md5), 1)
        # readlogsqltree-style reading works on the mirrored sensor file.
        tree = subprocess.run([honeyvt, "report", "summary", "--logsql", sensors[0].logsql,
                               "--format", "json"], capture_output=True, text=True)
        c.eq("report summary on a sensor's logsql", tree.returncode, 0)
        # The whole fleet's view: one sample, downloaded by 3 sensors, one report.
        whole = sensors[1].cmd("report", "--format", "json", "--fleet", sub="summary")
        rows = json.loads(whole.stdout)
        rows = rows if isinstance(rows, list) else next(v for v in rows.values()
                                                        if isinstance(v, list))
        totals = {r["item"]: r["count"] for r in rows if "item" in r and "count" in r}
        c.eq("report --fleet: samples, downloads (sensors), reports",
             [totals.get("samples"), totals.get("downloads"), totals.get("reports")], [1, 3, 1])
        ok = c.failed == 0
    finally:
        fleet.close(ok)


def bad_input(honeyvt, vtsim, c):
    """Wrong DSN, server down at start, a newer schema, a role without rights: a clear
    error naming the problem, and nothing spent."""
    fleet = Fleet(honeyvt, vtsim, "fleet.bad_input", quota=["4/1s"], api=3)
    ok = False
    try:
        s = fleet.sensor("s")

        def run_with(dsn):
            env = dict(s.env(), HONEYVT_FLEET_DSN=dsn)
            return subprocess.run([honeyvt, "run", "--until-drained", "--no-follow"] + s.sets(),
                                  env=env, capture_output=True, text=True, timeout=60)

        r = run_with("host=127.0.0.1 dbname=x bogus_option=1 password=hunter2")
        c.true("unparsable DSN: exit 2 (configuration)", r.returncode == 2, r.stderr)
        c.true("unparsable DSN: names the option", "bogus_option" in r.stderr, r.stderr)
        c.true("unparsable DSN: password not shown", "hunter2" not in r.stderr + r.stdout)
        r = run_with("host=127.0.0.1 port=1 user=x password=hunter2 dbname=x connect_timeout=2")
        c.true("server down: exit 1 (a restart may help)", r.returncode == 1, r.stderr)
        c.true("server down: says so", "cannot connect" in r.stderr, r.stderr)
        c.true("server down: password not shown", "hunter2" not in r.stderr + r.stdout)
        # A role without rights.
        fleet.db.psql_admin("DO $$ BEGIN CREATE ROLE hvt_norights LOGIN; EXCEPTION WHEN "
                            "duplicate_object THEN NULL; END $$")
        r = run_with(fleet.db.dsn.replace("user=honeyvt", "user=hvt_nosuchrole"))
        c.true("refused login: exit 5 (database), not 3 (key rejected)", r.returncode == 5,
               r.stderr)
        c.true("refused login: names the role", "hvt_nosuchrole" in r.stderr, r.stderr)
        r = run_with(fleet.db.dsn.replace("user=honeyvt", "user=hvt_norights"))
        c.true("no rights: exit 5 (database)", r.returncode == 5, r.stderr)
        c.true("no rights: names the cure", "--grant" in r.stderr, r.stderr)
        # ... and with the grant it works.
        init = subprocess.run([honeyvt, "fleet", "init", fleet.db.dsn, "--grant", "hvt_norights"],
                              capture_output=True, text=True, env=s.env())
        c.eq("fleet init --grant", init.returncode, 0)
        r = subprocess.run([honeyvt, "status", "--fleet"] + s.sets(), capture_output=True,
                           text=True, env=dict(s.env(), HONEYVT_FLEET_DSN=fleet.db.dsn.replace(
                               "user=honeyvt", "user=hvt_norights")))
        c.eq("a granted role reads the fleet", r.returncode, 0)
        # A schema of a newer honeyvt.
        fleet.db.rows("INSERT INTO honeyvt.schema_version (version, description, applied_by) "
                      "VALUES (99, 'future', 'honeyvt 9') RETURNING version")
        r = run_with(fleet.db.dsn)
        c.true("newer schema: exit 5 (database)", r.returncode == 5, r.stderr)
        c.true("newer schema: says upgrade", "newer than this honeyvt" in r.stderr, r.stderr)
        init = subprocess.run([honeyvt, "fleet", "init", fleet.db.dsn], capture_output=True,
                              text=True, env=s.env())
        c.true("fleet init refuses a newer schema", init.returncode == 1 and
               "newer" in init.stderr, init.stderr)
        c.eq("requests made", fleet.vtsim.log()["calls_total"], 0)
        # VirusTotal rejecting the key is exit 3, told apart from the database refusing a login.
        fleet.db.rows("DELETE FROM honeyvt.schema_version WHERE version = 99 RETURNING version")
        s.enqueue([s.add_file(b"a sample for a rejected key\n")])
        r = subprocess.run([honeyvt, "run", "--until-drained", "--no-follow"] + s.sets(),
                           env=dict(s.env(), HONEYVT_API_KEY="not-the-key-" + "1" * 20),
                           capture_output=True, text=True, timeout=60)
        c.true("key rejected by VirusTotal: exit 3", r.returncode == 3, r.stderr)
        c.true("key rejected: key not printed", "not-the-key" not in r.stderr + r.stdout)
        c.eq("key rejected: the job is kept",
             fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE state = 'lookup'"), "1")
        fleet.db.psql_admin("DROP OWNED BY hvt_norights")
        ok = c.failed == 0
    finally:
        fleet.close(ok)
        try:
            fleet.db.psql_admin("DROP ROLE IF EXISTS hvt_norights")
        except subprocess.CalledProcessError:
            pass


def migrate_state(honeyvt, vtsim, c):
    """A single-host installation moves into the fleet without losing a job or a
    report, and the fleet finishes its work."""
    files = samples(12, 41)
    known = [m for m, _ in files[:8]]
    tmp = os.path.join("/tmp", "honeyvt-cat-%d" % os.getpid())
    os.makedirs(tmp, exist_ok=True)
    cat = catalogue(tmp, known)
    fleet = Fleet(honeyvt, vtsim, "fleet.migrate_state", quota=["20/1s"], api=2, catalogue=cat,
                  settings=["comment=false", "refresh=false"])
    shutil.rmtree(tmp, ignore_errors=True)
    ok = False
    try:
        s = fleet.sensor("old")
        for _, data in files:
            s.add_file(data)
        single = [a for a in s.sets()]
        env = dict(s.env())
        env.pop("HONEYVT_FLEET_DSN")
        run = lambda *args: subprocess.run([honeyvt, args[0]] + single + list(args[1:]),  # noqa
                                           env=env, capture_output=True, text=True)
        # One host: half the samples processed, the rest queued.
        c.eq("single-host enqueue", run("enqueue", "--", *[os.path.join(s.binaries, m)
                                                            for m, _ in files[:6]]).returncode, 0)
        c.eq("single-host run", run("run", "--until-drained", "--no-follow", *fleet.run_flags).returncode, 0)
        c.eq("single-host enqueue more", run("enqueue", "--", *[os.path.join(s.binaries, m)
                                                                 for m, _ in files[6:]]).returncode, 0)
        con = sqlite3.connect(s.logsql)
        reports_before = con.execute("SELECT count(*) FROM honeyvt_reports").fetchone()[0]
        con.close()
        moved = s.cmd("fleet", sub="migrate-state")
        print(moved.stdout.strip())
        c.eq("jobs in the fleet", int(fleet.db.one("SELECT count(*) FROM honeyvt.jobs")), 12)
        c.eq("reports in the fleet", int(fleet.db.one("SELECT count(*) FROM honeyvt.reports")),
             reports_before)
        again = s.cmd("fleet", sub="migrate-state")
        c.true("a second run adds nothing", "12 job(s) (0 new" in again.stdout, again.stdout)
        c.eq("reports after a second run", int(fleet.db.one(
            "SELECT count(*) FROM honeyvt.reports")), reports_before)
        s.start()
        c.true("the fleet finishes the queue", fleet.wait_done(12, 90))
        fleet.stop()
        c.eq("done", int(fleet.db.one("SELECT count(*) FROM honeyvt.jobs WHERE state='done'")), 12)
        c.eq("md5s with two current reports", per_md5_rows(fleet), [])
        ok = c.failed == 0
    finally:
        fleet.close(ok)


SCENARIOS = {f.__name__: f for f in (exclusivity, shared_quota, kill_upload, sigstop,
                                     holder_offline, db_restart, clock_skew, quota_reply,
                                     same_md5, bad_input, migrate_state)}


def main():
    if len(sys.argv) < 4 or sys.argv[3] not in SCENARIOS:
        print(__doc__)
        return 2
    honeyvt, vtsim, name = sys.argv[1:4]
    c = Checks()
    if name == "shared_quota" and "--runs" in sys.argv:
        shared_quota(honeyvt, vtsim, c, int(sys.argv[sys.argv.index("--runs") + 1]))
    else:
        SCENARIOS[name](honeyvt, vtsim, c)
    return c.done("fleet " + name)


if __name__ == "__main__":
    sys.exit(main())
