#!/usr/bin/env python3
"""Crash test of `honeyvt run` (issue 6): kills the daemon with SIGKILL at random moments
(KILLS times, default 20) while it works through a queue of known and unknown samples
against vtsim, restarting it each time, then lets it drain. Nothing may be lost,
duplicated or stuck: every sample done, exactly one virustotals row per md5, no lease
left, no job in an active state, uploads repeated at most once per kill.
usage: pipeline_crash_test.py HONEYVT VTSIM [KILLS] [SEED]
"""
import os
import random
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vtsim_harness import Checks, Honeyvt, Vtsim, make_samples, wait  # noqa: E402

QUOTA = "20/2s"


def main():
    honeyvt_bin, vtsim_bin = sys.argv[1], sys.argv[2]
    kills = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else int(time.time()))
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="honeyvt-crash-") as work:
        samples, catalogue = make_samples(work, known=40, unknown=30, missing=0, oversized=0,
                                          seed=7)
        sim = Vtsim(vtsim_bin, work, QUOTA, analysis_delay=2, catalogue=catalogue,
                    faults=["503@0.02"])
        try:
            hv = Honeyvt(honeyvt_bin, work, sim.url, QUOTA)
            hv.check(["enqueue", os.path.join(work, "samples")])
            killed = 0
            with open(os.path.join(work, "run.log"), "w") as log:
                while killed < kills:
                    p = hv.start_run(log=log)
                    time.sleep(rng.uniform(0.2, 1.2))
                    if p.poll() is not None:
                        c.true("daemon alive before the kill", False, "exit %d" % p.returncode)
                        break
                    p.send_signal(signal.SIGKILL)
                    p.wait()
                    killed += 1
                    # Enqueueing again between crashes must never duplicate anything.
                    if killed % 5 == 0:
                        hv.check(["enqueue", os.path.join(work, "samples")])
                rc = wait(hv.start_run("--until-drained", log=log), 300)
            c.eq("final run exit status", rc, 0)
            c.eq("kills", killed, kills)
            st = hv.status()
            c.eq("done", st["jobs"]["done"], len(samples))
            for state in ("lookup", "upload", "comment", "poll", "relookup", "failed"):
                c.eq("left in " + state, st["jobs"][state], 0)
            c.eq("leases left", hv.query(hv.state, "SELECT count(*) FROM jobs "
                                         "WHERE lease_owner IS NOT NULL")[0][0], 0)
            rows = dict(hv.query(hv.logsql, "SELECT virustotal_md5_hash, count(*) "
                                 "FROM virustotals GROUP BY 1"))
            c.eq("virustotals md5s", sorted(rows), sorted(s["md5"] for s in samples))
            c.true("one virustotals row per md5", all(n == 1 for n in rows.values()))
            c.eq("scans belong to a shown report", hv.query(hv.logsql, """
                SELECT count(*) FROM virustotalscans
                WHERE virustotal NOT IN (SELECT virustotal FROM virustotals)""")[0][0], 0)
            c.eq("reports per md5", hv.query(hv.logsql, "SELECT max(n) FROM (SELECT count(*) n "
                                             "FROM honeyvt_reports WHERE virustotal IS NOT NULL "
                                             "GROUP BY md5)")[0][0], 1)
            log = sim.log()
            c.eq("vtsim quota errors", log["quota_errors_total"], 0)
            uploads = len(log["uploads"])
            unknown = sum(1 for s in samples if s["kind"] == "unknown")
            c.true("uploads repeated at most once per kill",
                   unknown <= uploads <= unknown + kills, "%d uploads" % uploads)
            print("%d SIGKILLs; %d uploads for %d unknown samples; %d API calls" % (
                killed, uploads, unknown, log["calls_total"]))
        finally:
            sim.stop()
    return c.done("pipeline_crash_test")


if __name__ == "__main__":
    sys.exit(main())
