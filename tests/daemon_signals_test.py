#!/usr/bin/env python3
"""`honeyvt run` as a service, through real processes against vtsim (issue 16):

- exit statuses: 0 stopped, 2 usage/configuration, 3 key rejected by VirusTotal, 4 another
  daemon holds the state database, 5 a database cannot be used;
- SIGTERM in the middle of a 600 MB upload whose server stopped reading (vtsim's
  stall-body fault): the process exits 0 within 5 s, the job is back in `upload`, and the
  next start repeats the upload;
- SIGHUP reloads the configuration: an invalid file is refused with the reason and the
  running configuration kept; a valid one changes the quota, the log level and the watched
  folders without dropping the queue.
usage: daemon_signals_test.py HONEYVT VTSIM
"""
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vtsim_harness import TEST_KEY, Checks, Honeyvt, Vtsim, make_samples, wait  # noqa: E402

QUOTA = "100/1s"


def run_once(argv, env, timeout=60):
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def wait_for(cond, timeout, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def exit_statuses(c, hv_bin, vtsim_bin, work):
    samples, catalogue = make_samples(work, known=1, unknown=0, missing=0, oversized=0)
    sim = Vtsim(vtsim_bin, work, QUOTA, catalogue=catalogue)
    try:
        hv = Honeyvt(hv_bin, work, sim.url, QUOTA)
        hv.check(["enqueue", os.path.join(work, "samples")])
        run = hv.args("run", "--until-drained", "--no-follow", *hv.run_flags)

        rc, out = run_once(hv.args("run", "--no-such-flag"), hv.env)
        c.eq("exit: unknown flag", rc, 2)
        rc, out = run_once(run + ["--set", "quota=lots"], hv.env)
        c.eq("exit: bad quota", rc, 2)
        c.true("bad quota named", "quota" in out, out)
        no_key = dict(hv.env)
        no_key.pop("HONEYVT_API_KEY")
        rc, out = run_once(run, no_key)
        c.eq("exit: no API key", rc, 2)

        wrong_key = dict(hv.env, HONEYVT_API_KEY="not-the-key-" + "1" * 20)
        rc, out = run_once(run, wrong_key)
        c.eq("exit: key rejected", rc, 3)
        c.true("key rejected: says so", "rejected the API key" in out, out)
        c.true("key rejected: key not printed", "not-the-key" not in out, out)
        c.eq("key rejected: job kept", hv.status()["jobs"]["lookup"], 1)

        with open(hv.state + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            rc, out = run_once(run, hv.env)
            fcntl.flock(lock, fcntl.LOCK_UN)
        c.eq("exit: another daemon holds the state database", rc, 4)
        c.true("locked: says so", "already working on" in out, out)

        garbage = os.path.join(work, "garbage.sqlite")
        with open(garbage, "wb") as f:
            f.write(b"this is not an SQLite database, just bytes " * 100)
        rc, out = run_once([a if a != hv.state else garbage for a in run], hv.env)
        c.eq("exit: state database unusable", rc, 5)
        rc, out = run_once([a if a != hv.logsql else garbage for a in run], hv.env)
        c.eq("exit: logsql database unusable", rc, 5)
        rc, out = run_once([a if a != hv.logsql else garbage + ".missing" for a in run], hv.env)
        c.eq("exit: logsql database missing", rc, 5)

        rc, out = run_once(run, hv.env)
        c.eq("exit: drained", rc, 0)
        c.eq("drained: done", hv.status()["jobs"]["done"], 1)
        p = hv.start_run("--no-follow")
        time.sleep(1)
        p.send_signal(signal.SIGTERM)
        c.eq("exit: SIGTERM while idle", wait(p, 10), 0)
    finally:
        sim.stop()


def stop_mid_upload(c, hv_bin, vtsim_bin, work):
    # 600 MB, sparse (no disk), above the direct-upload limit: upload_url, then the POST,
    # whose body vtsim stops reading.
    sdir = os.path.join(work, "big")
    os.makedirs(sdir)
    big = os.path.join(sdir, "big.bin")
    with open(big, "wb") as f:
        f.truncate(600 * 1000 * 1000)
    sim = Vtsim(vtsim_bin, work, QUOTA, faults=["stall-body=120000/"])
    try:
        hv = Honeyvt(hv_bin, work, sim.url, QUOTA)
        hv.check(["enqueue", big])
        with open(os.path.join(work, "run1.log"), "w") as log:
            p = hv.start_run("--no-follow", log=log)
            stalled = wait_for(lambda: sim.log()["faults_served_total"] >= 1, 60)
            c.true("upload reached the stalled server", stalled)
            time.sleep(1.5)  # well inside the transfer
            c.true("still uploading", p.poll() is None)
            t0 = time.time()
            p.send_signal(signal.SIGTERM)
            rc = wait(p, 30)
            took = time.time() - t0
        c.eq("SIGTERM mid-upload: exit status", rc, 0)
        c.true("SIGTERM mid-upload: exits within 5 s", took < 5, "%.1f s" % took)
        rows = hv.query(hv.state, "SELECT state, lease_owner FROM jobs")
        c.eq("the job is back in its state, unleased", rows, [("upload", None)])
        c.eq("no upload completed", len(sim.log()["uploads"]), 0)
        # The next start (the server reads again) repeats the upload.
        req = urllib.request.Request(sim.url + "/_sim/faults", data=json.dumps({"rules": []}).encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()
        with open(os.path.join(work, "run2.log"), "w") as log:
            rc = wait(hv.start_run("--no-follow", "--until-drained", log=log), 240)
        c.eq("next start: exit status", rc, 0)
        uploads = sim.log()["uploads"]
        c.eq("next start: uploaded once", len(uploads), 1)
        c.eq("next start: the whole file", uploads[0]["size"] if uploads else None, 600 * 1000 * 1000)
        c.eq("next start: done", hv.status()["jobs"]["done"], 1)
    finally:
        sim.stop()


def write_config(path, quota, log_level, watch):
    with open(path, "w") as f:
        f.write('quota = [%s]\nlog_level = "%s"\nwatch = [%s]\ncomment_delay = 1\n' % (
            ", ".join('"%s"' % q for q in quota), log_level, ", ".join('"%s"' % w for w in watch)))


def reload(c, hv_bin, vtsim_bin, work):
    samples, catalogue = make_samples(work, known=4, unknown=0, missing=0, oversized=0, seed=3)
    # The last known sample only appears later, in a folder the first configuration does
    # not watch.
    late = samples.pop()
    sim = Vtsim(vtsim_bin, work, QUOTA, catalogue=catalogue)
    try:
        hv = Honeyvt(hv_bin, work, sim.url, QUOTA)
        for s in samples:
            hv.check(["enqueue", s["path"]])
        with open(late["path"], "rb") as f:
            late_bytes = f.read()
        os.remove(late["path"])
        cowrie = os.path.join(work, "cowrie")
        os.makedirs(cowrie)
        config = os.path.join(work, "honeyvt.toml")
        write_config(config, ["1/1h"], "warn", [])
        binaries = os.path.join(work, "binaries")
        os.makedirs(binaries)
        argv = [hv_bin, "run", "--config", config, "--logsql", hv.logsql, "--state", hv.state,
                "--set", "base_url=" + sim.url + "/api/v3/", "--set", "binaries=" + binaries
                ] + hv.run_flags
        log_path = os.path.join(work, "reload.log")
        with open(log_path, "w") as log:
            p = subprocess.Popen(argv, env=hv.env, stdout=log, stderr=log)
            c.true("one lookup, then the hourly quota is used up",
                   wait_for(lambda: sim.log()["calls_total"] == 1, 30))
            time.sleep(1)
            c.eq("quota closed: no second call", sim.log()["calls_total"], 1)
            c.eq("log level warn: no info lines yet", "engines detect it" in read(log_path), False)

            write_config(config, ["4/1m", "lots"], "info", [cowrie])
            p.send_signal(signal.SIGHUP)
            c.true("invalid configuration refused with the reason",
                   wait_for(lambda: "reload refused" in read(log_path) and "lots" in read(log_path), 10),
                   read(log_path))
            time.sleep(1.5)
            c.true("still running after a refused reload", p.poll() is None)
            c.eq("refused reload: old quota kept", sim.log()["calls_total"], 1)

            write_config(config, ["100/1m"], "info", [cowrie])
            p.send_signal(signal.SIGHUP)
            c.true("reloaded", wait_for(lambda: "configuration reloaded" in read(log_path), 10),
                   read(log_path))
            # The new folder is followed: the late sample arrives there now.
            with open(os.path.join(cowrie, late["sha256"]), "wb") as f:
                f.write(late_bytes)
            c.true("every sample done after the reload, none lost",
                   wait_for(lambda: hv.status()["jobs"]["done"] == 4, 60), str(hv.status()["jobs"]))
            c.true("still running", p.poll() is None)
            p.send_signal(signal.SIGTERM)
            c.eq("exit status after SIGTERM", wait(p, 10), 0)
        c.true("the new quota applied", sim.log()["calls_total"] >= 4)
        c.true("the new log level applied", "engines detect it" in read(log_path), read(log_path))
        c.true("the new watch folder followed",
               hv.query(hv.state, "SELECT count(*) FROM jobs WHERE md5 = '%s' AND path LIKE '%%cowrie%%'"
                        % late["md5"])[0][0] == 1)
    finally:
        sim.stop()


def main():
    hv_bin, vtsim_bin = sys.argv[1], sys.argv[2]
    c = Checks()
    for name, fn in (("exit statuses", exit_statuses), ("stop mid-upload", stop_mid_upload),
                     ("reload", reload)):
        with tempfile.TemporaryDirectory(prefix="honeyvt-daemon-") as work:
            t0 = time.time()
            try:
                fn(c, hv_bin, vtsim_bin, work)
            except Exception as e:  # noqa: BLE001 - report and go on with the next part
                c.true(name + " raised " + repr(e), False)
                for log in ("run1.log", "run2.log", "reload.log", "vtsim.log"):
                    path = os.path.join(work, log)
                    if os.path.exists(path):
                        print("--- " + log + "\n" + read(path)[-3000:])
            print("%s: %.1f s" % (name, time.time() - t0))
    return c.done("daemon_signals_test")


if __name__ == "__main__":
    sys.exit(main())
