#!/usr/bin/env python3
"""What honeyvt sends is what the operator allows, decided when it is sent (issue 15).

Real honeyvt processes against a real vtsim (loopback), four scenarios:
 1. upload = never at send time: unknown samples queued under `always` wait in the upload
    state (the quota lets only the lookups through); the daemon stops; the operator
    switches to `never` (and comment = false); the next run uploads nothing, comments
    nothing, and parks the samples for a later lookup.
 2. comment = false at send time: a sample uploaded and analysed waits in the comment state
    (the quota lets only its lookup, upload and poll through); the switch to `comment = false`
    drops the comments; the verdicts stay.
 3. dionaea's vtcache restrictions win over every later arrival: a sample imported from
    a `query-` row (uploaded and commented by dionaea) is offered again with its file by
    `enqueue FILE`, `backlog`, the downloads follower and the directory watcher of
    `honeyvt run`; VirusTotal does not know it; it is never uploaded nor commented.
 4. a policy per source: a [[watch]] folder with upload = "never", comment = false beside
    an open binaries folder, followed by `honeyvt run`: only the open folder's sample is
    uploaded and commented; a sample present in both folders is not uploaded.
vtsim's /_sim/log is the judge of what was sent.
usage: trust_privacy_test.py HONEYVT VTSIM
"""
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vtsim_harness import Checks, Honeyvt, Vtsim, wait  # noqa: E402

SIM_QUOTA = "100000/1s"


def write_sample(folder, name, content):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(content)
    return {"md5": hashlib.md5(content).hexdigest(),
            "sha256": hashlib.sha256(content).hexdigest(), "path": path}


def wait_for(hv, state, count, timeout=60):
    deadline = time.time() + timeout
    jobs = {}
    while time.time() < deadline:
        jobs = hv.status()["jobs"]
        if jobs.get(state) == count:
            return jobs
        time.sleep(0.2)
    raise RuntimeError("timed out waiting for %d jobs in %s: %r" % (count, state, jobs))


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    return wait(proc, 30)


def sent(sim):
    log = sim.log()
    return {u["sha256"] for u in log["uploads"]}, {c["sha256"] for c in log["comments"]}


def upload_never_at_send_time(hv_bin, sim_bin, c):
    with tempfile.TemporaryDirectory(prefix="honeyvt-trust-") as work:
        samples = [write_sample(os.path.join(work, "samples"), "s%d" % i,
                                b"unknown sample %d for the upload switch" % i)
                   for i in range(3)]
        sim = Vtsim(sim_bin, work, SIM_QUOTA, analysis_delay=0)
        try:
            # Three requests an hour: the three lookups, then the uploads must wait.
            hv = Honeyvt(hv_bin, work, sim.url, "3/1h", extra_sets=["upload=always"])
            hv.check(["enqueue", os.path.join(work, "samples")])
            p = hv.start_run("--no-follow")
            wait_for(hv, "upload", 3)
            c.eq("stopped while waiting to upload", stop(p), 0)
            c.eq("nothing uploaded yet", sent(sim), (set(), set()))
            # The operator switches to hash-only and turns comments off, and restarts.
            hv = Honeyvt(hv_bin, work, sim.url, "1000/1m",
                         extra_sets=["upload=never", "comment=false"])
            c.eq("run --until-drained", wait(hv.start_run("--no-follow", "--until-drained"), 60), 0)
            uploads, comments = sent(sim)
            c.eq("no upload after upload = never", uploads, set())
            c.eq("no comment after comment = false", comments, set())
            jobs = hv.status()["jobs"]
            c.eq("parked for a later lookup", jobs.get("relookup"), 3)
            for s in samples:
                reason = hv.query(hv.state, "SELECT last_error FROM jobs WHERE md5 = '%s'"
                                  % s["md5"])[0][0]
                c.true("reason names the policy", "upload = never" in reason, reason)
        finally:
            sim.stop()


def comment_false_at_send_time(hv_bin, sim_bin, c):
    with tempfile.TemporaryDirectory(prefix="honeyvt-trust-") as work:
        # One sample: the engine serves a due comment before another sample's upload, so
        # with two the order of the three-request sequences would depend on timing.
        samples = [write_sample(os.path.join(work, "samples"), "c0",
                                b"unknown sample for the comment switch")]
        sim = Vtsim(sim_bin, work, SIM_QUOTA, analysis_delay=0)
        try:
            # Lookup, upload and one poll: then the hour is used up and the comment waits.
            hv = Honeyvt(hv_bin, work, sim.url, "3/1h")
            hv.check(["enqueue", os.path.join(work, "samples")])
            p = hv.start_run("--no-follow")
            wait_for(hv, "comment", 1)
            c.eq("stopped while waiting to comment", stop(p), 0)
            uploads, comments = sent(sim)
            c.eq("uploaded before the switch", uploads, {s["sha256"] for s in samples})
            c.eq("no comment yet", comments, set())
            hv = Honeyvt(hv_bin, work, sim.url, "1000/1m", extra_sets=["comment=false"])
            c.eq("run --until-drained", wait(hv.start_run("--no-follow", "--until-drained"), 60), 0)
            c.eq("no comment after comment = false", sent(sim)[1], set())
            jobs = hv.status()["jobs"]
            c.eq("done with its verdict", jobs.get("done"), 1)
            c.eq("verdict stored", len(hv.query(hv.logsql, "SELECT * FROM virustotals")), 1)
            reasons = [r[0] for r in hv.query(hv.state, "SELECT last_error FROM jobs")]
            c.true("reason: comment dropped",
                   all("comment not posted: comment = false" in r for r in reasons), str(reasons))
        finally:
            sim.stop()


def vtcache_restrictions_win(hv_bin, sim_bin, c):
    with tempfile.TemporaryDirectory(prefix="honeyvt-trust-") as work:
        binaries = os.path.join(work, "binaries")
        content = b"a sample dionaea uploaded and commented, stuck in its vtcache"
        md5 = hashlib.md5(content).hexdigest()
        s = write_sample(binaries, md5, content)
        vtcache = os.path.join(work, "vtcache.sqlite")
        con = sqlite3.connect(vtcache)
        con.execute("CREATE TABLE backlogfiles (backlogfile INTEGER PRIMARY KEY, status TEXT "
                    "NOT NULL, md5_hash TEXT NOT NULL, path TEXT NOT NULL, timestamp INTEGER "
                    "NOT NULL, scan_id TEXT, lastcheck_time INTEGER, submit_time INTEGER)")
        con.execute("INSERT INTO backlogfiles (status, md5_hash, path, timestamp) "
                    "VALUES ('query-', ?, ?, 1286470000)", (md5, s["path"]))
        con.commit()
        con.close()
        sim = Vtsim(sim_bin, work, SIM_QUOTA, analysis_delay=0)
        try:
            hv = Honeyvt(hv_bin, work, sim.url, "1000/1m", extra_sets=["binaries=" + binaries])
            hv.check(["import-dionaea-cache", vtcache])
            # Every other arrival path offers the same sample with its file.
            hv.check(["enqueue", s["path"]])
            con = sqlite3.connect(hv.logsql)
            con.execute("INSERT INTO connections (connection, connection_type, "
                        "connection_timestamp) VALUES (1, 'accept', ?)", (time.time(),))
            con.execute("INSERT INTO downloads (connection, download_url, download_md5_hash) "
                        "VALUES (1, 'http://x/y', ?)", (md5,))
            con.commit()
            con.close()
            hv.check(["backlog"])
            path, may_upload, may_comment = hv.query(
                hv.state, "SELECT path, may_upload, may_comment FROM jobs WHERE md5 = '%s'" % md5)[0]
            c.eq("the arrivals attached the file", path, os.path.realpath(s["path"]))
            c.eq("may not upload", may_upload, 0)
            c.eq("may not comment", may_comment, 0)
            # run: the follower and the watcher offer it once more.
            c.eq("run --until-drained", wait(hv.start_run("--until-drained"), 60), 0)
            c.eq("never uploaded, never commented", sent(sim), (set(), set()))
            c.eq("looked up later instead", hv.status()["jobs"].get("relookup"), 1)
        finally:
            sim.stop()


def policy_per_source(hv_bin, sim_bin, c):
    with tempfile.TemporaryDirectory(prefix="honeyvt-trust-") as work:
        binaries = os.path.join(work, "binaries")
        partner = os.path.join(work, "partner")
        open_one = write_sample(binaries, "a", b"captured by the honeypot, may be shared")
        private = write_sample(partner, "b", b"from a partner, must stay private")
        both = b"captured here and also given by the partner"
        write_sample(binaries, "c", both)
        shared = write_sample(partner, "c", both)
        config = os.path.join(work, "honeyvt.toml")
        with open(config, "w") as f:
            f.write('binaries = "%s"\nupload = "always"\ncomment = true\n\n'
                    '[[watch]]\npath = "%s"\nupload = "never"\ncomment = false\n' % (binaries, partner))
        sim = Vtsim(sim_bin, work, SIM_QUOTA, analysis_delay=0)
        try:
            hv = Honeyvt(hv_bin, work, sim.url, "1000/1m")
            hv.sets = ["--config", config] + hv.sets
            # The shared sample is known from the partner folder before the run (the
            # stricter policy holds from the moment a sample is seen in its folder).
            hv.check(["enqueue", shared["path"]])
            # The watcher of `run` finds the other files (the first scan at start).
            p = hv.start_run()
            deadline = time.time() + 60
            while time.time() < deadline:
                jobs = hv.status()["jobs"]
                if jobs.get("done") == 1 and jobs.get("relookup") == 2:
                    break
                time.sleep(0.3)
            c.eq("stopped", stop(p), 0)
            uploads, comments = sent(sim)
            c.eq("only the open folder's sample uploaded", uploads, {open_one["sha256"]})
            c.eq("and commented", comments, {open_one["sha256"]})
            c.true("the private sample stayed private", private["sha256"] not in uploads)
            c.true("the stricter folder wins for a shared sample", shared["sha256"] not in uploads)
        finally:
            sim.stop()


def main():
    hv_bin, sim_bin = sys.argv[1], sys.argv[2]
    c = Checks()
    upload_never_at_send_time(hv_bin, sim_bin, c)
    comment_false_at_send_time(hv_bin, sim_bin, c)
    vtcache_restrictions_win(hv_bin, sim_bin, c)
    policy_per_source(hv_bin, sim_bin, c)
    return c.done("trust_privacy_test")


if __name__ == "__main__":
    sys.exit(main())
