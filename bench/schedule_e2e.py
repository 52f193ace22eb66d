#!/usr/bin/env python3
"""End-to-end check of the schedule simulator (issue #9).

Runs the small "e2e" scenario twice: in-process (build/bench/schedule_sim: honeyvt's
scheduler on a fake clock against a simulated VirusTotal) and for real (honeyvt enqueue +
honeyvt run --until-drained against a vtsim process whose time runs 30x faster, the
quota and delays scaled to match: 4/1m simulated = 4/2s real, analyses of 60-300
simulated seconds, first poll 180 s, shortest poll interval and first retry 30 s; honeyvt
counts whole real seconds, so 30x keeps its timing resolution at 30 simulated seconds).
Prints calls per verdict, polls per upload and makespan of both and fails (exit 1) if
they differ by more than 10 %. Loopback only; takes about three minutes.

With --api 2 both runs use API v2 (batched lookups, and due polls batched with polls
falling due within poll_min/2 and with lookups in one file/report request, each request
charged once); vtsim cannot tell a poll from a lookup inside a v2 batch, so polls per
upload is compared on v3 only. The slack matters here: the real run's uploads of one burst
are a request latency apart (about 60 ms, 1.7 simulated seconds at 30x), the simulator's
are simultaneous.

With --factor 10 (or 15) vtsim's time runs only 10x faster: slower (about nine minutes)
but with a finer timing resolution (1 real second = 10 simulated seconds).

usage: bench/schedule_e2e.py [--api 2|3] [--factor 10|15|30] [BUILD_DIR]
       (default: API v3, 30x, build)
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import vtsim_harness as h  # noqa: E402

FACTOR = 30
TOLERANCE = 0.10


def in_process(build, export_dir, api):
    out = subprocess.run([os.path.join(build, "bench", "schedule_sim"), "--api", str(api),
                          "--export", export_dir, "e2e"], capture_output=True, text=True,
                         check=True).stdout
    header, row = None, None
    for line in out.splitlines():
        cols = line.split()
        if cols and cols[0] == "scenario":
            header = cols
        elif len(cols) > 2 and cols[2] == "honeyvt":
            row = cols
    fig = dict(zip(header, row))
    return {"calls/verdict": float(fig["c/v"]), "polls/upload": float(fig["poll/up"]),
            "makespan_min": float(fig["makespan_h"]) * 60, "verdicts": int(fig["verdicts"])}


def end_to_end(build, work, export_dir, api):
    with open(os.path.join(export_dir, "known.txt")) as f:
        known = [line.strip() for line in f if line.strip()]
    with open(os.path.join(export_dir, "unknown.txt")) as f:
        unknown = [line.strip() for line in f if line.strip()]
    sim = h.Vtsim(os.path.join(build, "tools", "vtsim", "vtsim"), work, "4/1m",
                  analysis_delay=60, catalogue=os.path.join(export_dir, "catalogue.json"),
                  extra=["--analysis-delay-max", "300"], time_factor=FACTOR)
    try:
        v2 = ["api_version=2", "base_url=%s/vtapi/v2/" % sim.url] if api == 2 else []
        hv = h.Honeyvt(os.path.join(build, "src", "honeyvt"), work, sim.url,
                       "4/%ds" % (60 // FACTOR), extra_sets=v2)
        hv.run_flags = ["--first-poll", str(180 // FACTOR), "--poll-min", str(30 // FACTOR),
                        "--backoff-base", str(30 // FACTOR), "--idle-recheck", "1"]
        hv.check(["enqueue", "--hash"] + known)
        hv.check(["enqueue", "--priority", "0"] + unknown)  # ends the --set list
        start = sim.sim_time()
        h.wait(hv.start_run("--until-drained", "--no-follow"), 900)
        end = sim.sim_time()
        log = sim.log()
    finally:
        sim.stop()
    calls = {c["endpoint"]: c["count"] for c in log["calls"]}
    total = log["calls_total"]
    polls = calls.get("GET /api/v3/analyses/{id}", 0) if api == 3 else None
    uploads = len(log["uploads"])
    verdicts = hv.query(hv.logsql, "SELECT count(DISTINCT virustotal_md5_hash) FROM virustotals")[0][0]
    if log["quota_errors_total"]:
        print("quota errors: %d" % log["quota_errors_total"])
    return {"calls/verdict": total / max(verdicts, 1),
            "polls/upload": None if polls is None else polls / max(uploads, 1),
            "makespan_min": (end - start) / 60.0, "verdicts": verdicts}


def main():
    global FACTOR
    args = sys.argv[1:]
    api = 3
    while args[:1] and args[0].startswith("-"):
        if args[0] == "--api" and len(args) > 1 and args[1] in ("2", "3"):
            api, args = int(args[1]), args[2:]
        elif args[0] == "--factor" and len(args) > 1 and args[1] in ("10", "15", "30"):
            FACTOR, args = int(args[1]), args[2:]
        else:
            sys.exit(__doc__)
    build = args[0] if args else "build"
    with tempfile.TemporaryDirectory() as work:
        export_dir = os.path.join(work, "scenario")
        sim = in_process(build, export_dir, api)
        real = end_to_end(build, work, export_dir, api)
    print("API v%d" % api)
    print("%-14s %12s %12s %8s" % ("figure", "in-process", "vtsim %dx" % FACTOR, "diff"))
    bad = 0
    for key in ("verdicts", "calls/verdict", "polls/upload", "makespan_min"):
        a, b = sim[key], real[key]
        if b is None:
            continue
        diff = abs(b - a) / a if a else 0.0
        flag = "" if diff <= TOLERANCE else "  > 10 %"
        bad += 1 if flag else 0
        print("%-14s %12.2f %12.2f %7.1f%%%s" % (key, a, b, 100 * diff, flag))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
