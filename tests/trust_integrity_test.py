#!/usr/bin/env python3
"""The file that was hashed is the file that is sent (issue 15).

Unknown samples are queued and looked up by a real `honeyvt run` against vtsim; the quota
stops the daemon before the uploads. Then each file is swapped: for a symbolic link to a
secret outside the sample folder, for another file of the same size, for a FIFO, for a
directory, and a folder on the way for a link to an outside folder holding the same
file. The next run uploads only the untouched control sample; every swapped one ends
failed with a reason naming what was wrong; nothing else reaches vtsim.
usage: trust_integrity_test.py HONEYVT VTSIM
"""
import hashlib
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vtsim_harness import Checks, Honeyvt, Vtsim, wait  # noqa: E402


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)
    return {"md5": hashlib.md5(content).hexdigest(),
            "sha256": hashlib.sha256(content).hexdigest(), "path": path}


def main():
    hv_bin, sim_bin = sys.argv[1], sys.argv[2]
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="honeyvt-integrity-") as work:
        folder = os.path.join(work, "samples")
        secret = write(os.path.join(work, "apikey"), b"HONEYVT_API_KEY=never-to-be-uploaded\n")
        # The FIFO's name carries a bidi override: `status` must not print it raw.
        names = ["symlink", "other", "fifo\u202etxt", "directory", "linked-folder", "control"]
        samples = {}
        for n in names:
            sub = "sub" if n == "linked-folder" else ""
            samples[n] = write(os.path.join(folder, sub, n), b"unknown sample: %s" % n.encode())
        outside = os.path.join(work, "outside")
        write(os.path.join(outside, "linked-folder"), b"unknown sample: linked-folder")
        sim = Vtsim(sim_bin, work, "100000/1s", analysis_delay=0)
        try:
            hv = Honeyvt(hv_bin, work, sim.url, "%d/1h" % len(names))
            hv.check(["enqueue", folder])
            p = hv.start_run("--no-follow")
            deadline = time.time() + 60
            while hv.status()["jobs"].get("upload") != len(names):
                if time.time() > deadline:
                    raise RuntimeError("samples did not reach the upload state")
                time.sleep(0.2)
            p.send_signal(signal.SIGTERM)
            c.eq("stopped before the uploads", wait(p, 30), 0)
            c.eq("nothing uploaded yet", sim.log()["uploads"], [])

            os.remove(samples["symlink"]["path"])
            os.symlink(secret["path"], samples["symlink"]["path"])
            size = os.path.getsize(samples["other"]["path"])
            with open(samples["other"]["path"], "wb") as f:
                f.write(b"x" * size)  # another file of the same size
            os.remove(samples["fifo\u202etxt"]["path"])
            os.mkfifo(samples["fifo\u202etxt"]["path"])
            os.remove(samples["directory"]["path"])
            os.mkdir(samples["directory"]["path"])
            sub = os.path.join(folder, "sub")
            os.remove(os.path.join(sub, "linked-folder"))
            os.rmdir(sub)
            os.symlink(outside, sub)

            hv = Honeyvt(hv_bin, work, sim.url, "1000/1m")
            c.eq("run --until-drained", wait(hv.start_run("--no-follow", "--until-drained"), 90), 0)
            uploaded = {u["sha256"] for u in sim.log()["uploads"]}
            c.eq("only the untouched sample reached vtsim", uploaded, {samples["control"]["sha256"]})
            c.true("the secret never left", secret["sha256"] not in uploaded)
            st = hv.status()
            c.eq("control done", st["jobs"].get("done"), 1)
            c.eq("swapped ones failed", st["jobs"].get("failed"), len(names) - 1)
            reasons = {f["md5"]: f["reason"] for f in st["failures"]}
            want = {"symlink": "symbolic link", "other": "other content", "fifo\u202etxt": "a FIFO",
                    "directory": "a directory", "linked-folder": "symbolic link"}
            for n, why in want.items():
                reason = reasons.get(samples[n]["md5"], "<none>")
                c.true("reason of " + n, reason.startswith("not the queued sample") and why in reason,
                       reason)
            text = hv.check(["status"])
            c.true("status escapes the bidi control of a file name",
                   "fifo\\u202etxt" in text and "\u202e" not in text, text)
        finally:
            sim.stop()
    return c.done("trust_integrity_test")


if __name__ == "__main__":
    sys.exit(main())
