"""Shared helpers of the pipeline's end-to-end tests against a real vtsim process.

Loopback only. The simulator key is a throwaway test value passed through the
environment (VTSIM_KEYS / HONEYVT_API_KEY), never on a command line.
"""
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import time
import urllib.request

TEST_KEY = "vtsim-test-key-" + "0" * 16


class Vtsim:
    def __init__(self, binary, workdir, quota, analysis_delay=2, faults=(), catalogue=None,
                 extra=(), time_factor=1):
        args = [binary, "--port", "0", "--quota", quota, "--analysis-delay",
                str(analysis_delay), "--time-factor", str(time_factor)]
        for f in faults:
            args += ["--fault", f]
        if catalogue:
            args += ["--catalogue", catalogue]
        args += list(extra)
        env = dict(os.environ, VTSIM_KEYS=TEST_KEY)
        self.log_file = open(os.path.join(workdir, "vtsim.log"), "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log_file,
                                     env=env, text=True)
        line = self.proc.stdout.readline().strip()
        if "listening on" not in line:
            raise RuntimeError("vtsim did not start: " + line)
        self.url = line.split("listening on", 1)[1].strip()

    def log(self):
        with urllib.request.urlopen(self.url + "/_sim/log", timeout=10) as r:
            return json.load(r)

    def sim_time(self):
        with urllib.request.urlopen(self.url + "/_sim/health", timeout=10) as r:
            return json.load(r)["sim_time"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log_file.close()


def make_samples(workdir, known, unknown, missing, oversized, seed=1, oversize_bytes=3000):
    """Writes sample files; returns (samples, catalogue path). Each sample is a dict with
    md5, sha1, sha256, path, kind (known/unknown/missing/oversized), positives (known)."""
    rng = random.Random(seed)
    sdir = os.path.join(workdir, "samples")
    os.makedirs(sdir, exist_ok=True)
    samples, catalogue = [], []
    plan = ([("known", 200)] * known + [("unknown", 200)] * unknown +
            [("missing", 200)] * missing + [("oversized", oversize_bytes)] * oversized)
    for i, (kind, size) in enumerate(plan):
        data = b"honeyvt test sample %d %s\n" % (i, kind.encode()) + bytes(
            rng.getrandbits(8) for _ in range(size))
        s = {"md5": hashlib.md5(data).hexdigest(), "sha1": hashlib.sha1(data).hexdigest(),
             "sha256": hashlib.sha256(data).hexdigest(), "kind": kind,
             "path": os.path.join(sdir, hashlib.md5(data).hexdigest())}
        with open(s["path"], "wb") as f:
            f.write(data)
        if kind == "known":
            s["positives"] = rng.choice([0, 0, 1, 5, 17, 42])
            catalogue.append({"md5": s["md5"], "sha1": s["sha1"], "sha256": s["sha256"],
                              "size": len(data), "positives": s["positives"], "total": 60})
        samples.append(s)
    cat_path = os.path.join(workdir, "catalogue.json")
    with open(cat_path, "w") as f:
        json.dump(catalogue, f)
    return samples, cat_path


class Honeyvt:
    def __init__(self, binary, workdir, vtsim_url, quota, extra_sets=()):
        self.binary = binary
        self.logsql = os.path.join(workdir, "dionaea.sqlite")
        self.state = os.path.join(workdir, "state.sqlite")
        self.sets = ["--set", "base_url=" + vtsim_url + "/api/v3/", "--set", "quota=" + quota,
                     "--set", "comment_delay=1", "--set", "log_level=warn"]
        for s in extra_sets:
            self.sets += ["--set", s]
        self.env = dict(os.environ, HONEYVT_API_KEY=TEST_KEY)
        self.env.pop("HONEYVT_CONFIG", None)
        if not os.path.exists(self.logsql):
            self.check(["init-db", self.logsql])
        self.run_flags = ["--first-poll", "2", "--poll-min", "1", "--backoff-base", "1",
                          "--idle-recheck", "1"]

    def args(self, cmd, *rest):
        common = [] if cmd == "init-db" else ["--logsql", self.logsql, "--state", self.state]
        return [self.binary, cmd] + common + (self.sets if cmd not in ("init-db",) else []) + list(rest)

    def check(self, argv, stdin=None):
        cmd = self.args(argv[0], *argv[1:])
        r = subprocess.run(cmd, env=self.env, input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s failed (%d): %s%s" % (" ".join(argv), r.returncode,
                                                         r.stdout, r.stderr))
        return r.stdout

    def start_run(self, *extra, log=None):
        return subprocess.Popen(self.args("run", *self.run_flags, *extra), env=self.env,
                                stdout=log or subprocess.DEVNULL,
                                stderr=log or subprocess.DEVNULL)

    def status(self):
        return json.loads(self.check(["status", "--json", "--failures", "1000"]))

    def query(self, db, sql):
        con = sqlite3.connect(db)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


def wait(proc, timeout):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise RuntimeError("honeyvt run did not finish within %d s" % timeout)


class Checks:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def eq(self, name, got, want):
        if got == want:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: got %r, want %r" % (name, got, want))

    def true(self, name, cond, detail=""):
        self.eq(name + (" " + detail if detail and not cond else ""), bool(cond), True)

    def done(self, label):
        print("%s: %d checks passed, %d failed" % (label, self.passed, self.failed))
        return 1 if self.failed else 0
