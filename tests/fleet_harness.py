"""Helpers of the fleet's process-level tests: a database of their own on the private
PostgreSQL cluster that ctest starts (scripts/pg-test-cluster, fixture pg_cluster),
sensors (each a folder with its dionaea logsql, binaries and local state), real
`honeyvt run` workers of those sensors, and vtsim's arrival log.

Loopback only. The API key is a simulator key passed through the environment; the
fleet DSN reaches workers through HONEYVT_FLEET_DSN, never on a command line.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vtsim_harness import TEST_KEY, Checks, Vtsim  # noqa: E402,F401

SKIP = 77  # ctest SKIP_RETURN_CODE of the fleet tests


def state_dir():
    return os.environ.get("HVT_PG_TEST_STATE", "")


def record(ran, name):
    d = state_dir()
    if d and os.path.isdir(d):
        with open(os.path.join(d, "tests.log"), "a") as f:
            f.write("%s %s\n" % ("ran" if ran else "skipped", name))


def cluster_or_skip(name):
    """The cluster's maintenance DSN and bin folder, or exit SKIP with how to enable."""
    d = state_dir()
    dsn_file = os.path.join(d, "dsn") if d else ""
    if not dsn_file or not os.path.exists(dsn_file):
        why = "PostgreSQL tests need a cluster: install PostgreSQL (scripts/bootstrap) and " \
              "run them through ctest or make test"
        skipped = os.path.join(d, "skipped") if d else ""
        if skipped and os.path.exists(skipped):
            why = open(skipped).read().strip()
        record(False, name)
        print("SKIPPED: " + why)
        sys.exit(SKIP)
    record(True, name)
    return open(dsn_file).read().strip(), open(os.path.join(d, "bindir")).read().strip()


class Db:
    """One database cloned from the template (`honeyvt fleet init` applied)."""

    def __init__(self, admin, bindir, empty=False):
        self.admin = admin
        self.bindir = bindir
        self.name = "f_%d_%d" % (os.getpid(), int(time.time() * 1000) % 10 ** 8)
        self.psql_admin("CREATE DATABASE %s TEMPLATE %s" %
                        (self.name, "template0" if empty else "honeyvt_template"))
        self.dsn = admin.replace("dbname=postgres", "dbname=" + self.name)

    def psql_admin(self, sql):
        subprocess.run([os.path.join(self.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "-d", self.admin, "-c", sql], check=True, capture_output=True)

    def rows(self, sql):
        r = subprocess.run([os.path.join(self.bindir, "psql"), "-X", "-q", "-At", "-F", "\t",
                            "-v", "ON_ERROR_STOP=1", "-d", self.dsn, "-c", sql],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("psql: %s: %s" % (sql, r.stderr))
        return [line.split("\t") for line in r.stdout.splitlines() if line != ""]

    def one(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else None

    def drop(self):
        try:
            self.psql_admin("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)
        except subprocess.CalledProcessError:
            pass


def restart_cluster(root):
    subprocess.run([os.path.join(root, "scripts", "pg-test-cluster"), "restart", state_dir()],
                   check=True)


class Sensor:
    """One honeypot sensor: its own folder, logsql, binaries and local state file."""

    def __init__(self, fleet, name, upload="always"):
        self.fleet = fleet
        self.name = name
        self.dir = os.path.join(fleet.workdir, name)
        self.binaries = os.path.join(self.dir, "binaries")
        os.makedirs(self.binaries, exist_ok=True)
        self.logsql = os.path.join(self.dir, "dionaea.sqlite")
        self.state = os.path.join(self.dir, "state.sqlite")
        self.upload = upload
        self.procs = []
        self.logs = []
        subprocess.run([fleet.honeyvt, "init-db", self.logsql], check=True, capture_output=True)

    def sets(self):
        s = ["--logsql", self.logsql, "--state", self.state,
             "--set=binaries=" + self.binaries, "--set=sensor=" + self.name,
             "--set=upload=" + self.upload]
        for kv in self.fleet.settings:
            s.append("--set=" + kv)
        return s

    def env(self):
        e = dict(os.environ, HONEYVT_API_KEY=TEST_KEY, HONEYVT_FLEET_DSN=self.fleet.db.dsn)
        e.pop("HONEYVT_CONFIG", None)
        return e

    def cmd(self, *args, check=True, sub=None):
        head = [args[0]] + ([sub] if sub else [])
        r = subprocess.run([self.fleet.honeyvt] + head + self.sets() + list(args[1:]),
                           env=self.env(), capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("honeyvt %s (%s) failed %d: %s%s" %
                               (args[0], self.name, r.returncode, r.stdout, r.stderr))
        return r

    def add_file(self, data):
        import hashlib
        md5 = hashlib.md5(data).hexdigest()
        path = os.path.join(self.binaries, md5)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def enqueue(self, paths):
        if paths:
            self.cmd("enqueue", "--", *paths)

    def enqueue_hashes(self, hashes):
        if hashes:
            self.cmd("enqueue", "--hash", "--", *hashes)

    def start(self, extra=(), prefix=(), log_name=None):
        log = open(os.path.join(self.dir, log_name or ("worker-%d.log" % len(self.procs))), "w")
        args = list(prefix) + [self.fleet.honeyvt, "run", "--no-follow"] + self.fleet.run_flags + \
            self.sets() + list(extra)
        # Its own process group: a wrapper such as faketime forks the worker, and a signal
        # to the wrapper alone would leave the worker running after the test.
        p = subprocess.Popen(args, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
        p.log_path = log.name
        self.procs.append(p)
        self.logs.append(log.name)
        return p

    def stop(self, sig=signal.SIGTERM):
        for p in self.procs:
            if p.poll() is None:
                signal_group(p, sig)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                signal_group(p, signal.SIGKILL)
                p.wait()
            # The group outlives a wrapper that exited first: give the rest of it the
            # same time to stop, then end it.
            deadline = time.time() + 20
            while group_alive(p) and time.time() < deadline:
                time.sleep(0.1)
            signal_group(p, signal.SIGKILL)
        self.procs = []

    def local_verdicts(self):
        import sqlite3
        con = sqlite3.connect(self.logsql)
        try:
            return {r[0]: r[1] for r in con.execute(
                "SELECT virustotal_md5_hash, count(*) FROM virustotals GROUP BY 1")}
        finally:
            con.close()


class Fleet:
    """vtsim + a fleet database + sensors with their workers."""

    def __init__(self, honeyvt, vtsim_bin, name, quota, vtsim_quota=None, settings=(),
                 analysis_delay=2, catalogue=None, api=2, faults=(), empty_db=False):
        admin, bindir = cluster_or_skip(name)
        self.root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.honeyvt = honeyvt
        self.workdir = tempfile.mkdtemp(prefix="honeyvt-fleet-")
        self.db = Db(admin, bindir, empty=empty_db)
        self.vtsim = Vtsim(vtsim_bin, self.workdir, vtsim_quota or ",".join(quota),
                           analysis_delay=analysis_delay, catalogue=catalogue, faults=faults)
        base = self.vtsim.url + ("/api/v3/" if api == 3 else "/vtapi/v2/")
        self.settings = ["base_url=" + base, "api_version=%d" % api,
                         "quota=" + ",".join(quota), "comment_delay=1", "log_level=info",
                         "fleet_heartbeat=500ms", "fleet_sliding_margin=20ms",
                         "fleet_boundary_guard=1s", "fleet_send_deadline=2s",
                         "request_timeout=20", "connect_timeout=5"] + list(settings)
        self.run_flags = ["--first-poll", "2", "--poll-min", "1", "--backoff-base", "1",
                          "--idle-recheck", "2"]
        self.sensors = []

    def sensor(self, name, upload="always"):
        s = Sensor(self, name, upload)
        self.sensors.append(s)
        return s

    def arrivals(self):
        with urllib.request.urlopen(self.vtsim.url + "/_sim/arrivals", timeout=30) as r:
            return json.load(r)["arrivals"]

    def wait_done(self, total, timeout, what="jobs done or failed"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            n = int(self.db.one("SELECT count(*) FROM honeyvt.jobs WHERE state IN "
                                "('done', 'failed')"))
            if n >= total:
                return True
            time.sleep(0.5)
        print("timeout: %s; jobs per state: %s" % (
            what, self.db.rows("SELECT state, count(*) FROM honeyvt.jobs GROUP BY state")))
        return False

    def stop(self):
        """Stops every worker (vtsim keeps serving its logs)."""
        for s in self.sensors:
            s.stop()

    def close(self, ok):
        self.stop()
        self.vtsim.stop()
        self.db.drop()
        if ok:
            import shutil
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            print("kept for inspection: " + self.workdir)


def signal_group(p, sig):
    """Sends `sig` to the process group of worker `p` (started in a session of its own)."""
    try:
        os.killpg(p.pid, sig)
    except ProcessLookupError:
        pass


def group_alive(p):
    try:
        os.killpg(p.pid, 0)
        return True
    except ProcessLookupError:
        return False


def window_overruns(arrivals, length, limit):
    """Admitted requests in any sliding window (t - length, t] over `limit`: count of
    such windows (by arrival)."""
    times = sorted(a["at"] for a in arrivals if a["admitted"])
    over = 0
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - length:
            j += 1
        if i - j + 1 > limit:
            over += 1
    return over


def busiest_use(arrivals, length, limit, start, end):
    """Mean use of the sliding window (fraction of `limit`) over windows ending in
    [start + length, end], sampled every 0.1 s: how much of the quota was used while
    work waited."""
    times = sorted(a["at"] for a in arrivals if a["admitted"])
    samples = []
    t = start + length
    while t <= end:
        n = sum(1 for x in times if t - length < x <= t)
        samples.append(n / float(limit))
        t += 0.1
    return sum(samples) / len(samples) if samples else 0.0
