#!/usr/bin/env python3
"""Integration test of `honeyvt run` against a real vtsim process (issue 6).

200 samples (known, unknown, missing, oversized), scaled quota (the same windows for
honeyvt and vtsim), transient faults injected. Checks: every sample ends in the right
state, vtsim saw zero quota errors, the logsql rows match the verdicts, SIGTERM exits 0.
usage: pipeline_vtsim_test.py HONEYVT VTSIM
"""
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vtsim_harness import Checks, Honeyvt, Vtsim, make_samples, wait  # noqa: E402

QUOTA = "20/2s"


def main():
    honeyvt_bin, vtsim_bin = sys.argv[1], sys.argv[2]
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="honeyvt-it-") as work:
        samples, catalogue = make_samples(work, known=100, unknown=60, missing=20, oversized=20)
        sim = Vtsim(vtsim_bin, work, QUOTA, analysis_delay=2, catalogue=catalogue,
                    faults=["503@0.03", "nonjson@0.02"])
        try:
            hv = Honeyvt(honeyvt_bin, work, sim.url, QUOTA, extra_sets=["max_upload_size=2000"])
            # Files for all but the missing ones, whose files vanish after enqueueing.
            hv.check(["enqueue", os.path.join(work, "samples")])
            for s in samples:
                if s["kind"] == "missing":
                    os.remove(s["path"])
            hv.check(["enqueue", os.path.join(work, "samples")])  # idempotent
            st = hv.status()
            c.eq("queued", st["jobs"]["lookup"], 200)

            # SIGTERM finishes or releases the step in flight and exits 0.
            p = hv.start_run()
            time.sleep(1.5)
            p.send_signal(signal.SIGTERM)
            c.eq("sigterm exit status", wait(p, 30), 0)

            start = time.time()
            with open(os.path.join(work, "run.log"), "w") as log:
                rc = wait(hv.start_run("--until-drained", log=log), 300)
            elapsed = time.time() - start
            c.eq("run --until-drained exit status", rc, 0)

            st = hv.status()
            jobs = st["jobs"]
            c.eq("done", jobs["done"], 160)
            c.eq("failed", jobs["failed"], 40)
            for state in ("lookup", "upload", "comment", "poll", "relookup"):
                c.eq("left in " + state, jobs[state], 0)
            reasons = {f["md5"]: f["reason"] for f in st["failures"]}
            for s in samples:
                if s["kind"] == "missing":
                    c.true("missing reason " + s["md5"], reasons.get(s["md5"], "").startswith(
                        "missing file"), reasons.get(s["md5"], "<none>"))
                if s["kind"] == "oversized":
                    c.true("oversized reason " + s["md5"], "too large" in reasons.get(s["md5"], ""),
                           reasons.get(s["md5"], "<none>"))

            log = sim.log()
            c.eq("vtsim quota errors", log["quota_errors_total"], 0)
            if log["quota_errors_total"]:
                print("quota errors:", log["quota_errors"], log["quota_errors_by_window"])
            c.true("faults were injected", log["faults_served_total"] > 0)
            uploaded = {u["sha256"] for u in log["uploads"]}
            for s in samples:
                if s["kind"] != "unknown":
                    c.true("not uploaded " + s["kind"], s["sha256"] not in uploaded)
            c.eq("unknown samples uploaded", len({s["sha256"] for s in samples
                                                  if s["kind"] == "unknown"} & uploaded), 60)

            rows = hv.query(hv.logsql, "SELECT virustotal_md5_hash, count(*), "
                            "typeof(virustotal_timestamp) FROM virustotals GROUP BY 1")
            c.eq("virustotals rows", len(rows), 160)
            c.true("one row per md5", all(n == 1 for _, n, _ in rows))
            c.true("integer timestamps", all(t == "integer" for _, _, t in rows))
            shown = dict(hv.query(hv.logsql, """
                SELECT v.virustotal_md5_hash, count(s.virustotalscan_result)
                FROM virustotals v LEFT JOIN virustotalscans s USING (virustotal) GROUP BY 1"""))
            stats = dict(hv.query(hv.logsql, "SELECT md5, positives FROM honeyvt_reports "
                                  "WHERE virustotal IS NOT NULL"))
            for s in samples:
                if s["kind"] == "known":
                    c.eq("detections of " + s["md5"], shown.get(s["md5"]), s["positives"])
                if s["kind"] in ("known", "unknown"):
                    c.eq("honeyvt_reports positives " + s["md5"], stats.get(s["md5"]),
                         shown.get(s["md5"]))
            print("drained 200 samples in %.1f s, %d API calls, %d faults served" % (
                elapsed, log["calls_total"], log["faults_served_total"]))
        finally:
            sim.stop()
    return c.done("pipeline_vtsim_test")


if __name__ == "__main__":
    sys.exit(main())
