#!/usr/bin/env python3
"""`honeyvt run` under systemd and beside a busy dionaea, through real processes (issue 16):

- the notify protocol on a socket the test opens (an abstract name and a path), as systemd
  would: READY=1 once the databases are open, STATUS= with the queue summary, WATCHDOG=1
  at the pace WATCHDOG_USEC asks for, STOPPING=1 on SIGTERM;
- logs: with stderr on the journal (JOURNAL_STREAM names stderr's device and inode),
  `<N>` priority prefixes and no timestamp of our own; otherwise the terminal format;
- start-up while dionaea holds logsql's write lock (an exclusive transaction held 8 s by
  another process): honeyvt waits, says so, then drains;
- the root trap: as root, `enqueue` and `run` refuse a state database (or its folder)
  another user owns, naming the owner and the command to run instead.
usage: daemon_service_test.py HONEYVT VTSIM
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vtsim_harness import Checks, Honeyvt, Vtsim, make_samples, wait  # noqa: E402

QUOTA = "100/1s"


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def listen(address):
    """A datagram socket bound like systemd's notify socket."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0" + address[1:] if address.startswith("@") else address)
    s.settimeout(0.2)
    return s


def collect(sock, seconds):
    out, end = [], time.time() + seconds
    while time.time() < end:
        try:
            out.append(sock.recv(4096).decode())
        except socket.timeout:
            pass
    return out


def notify(c, hv_bin, vtsim_bin, work):
    samples, catalogue = make_samples(work, known=3, unknown=0, missing=0, oversized=0)
    sim = Vtsim(vtsim_bin, work, "1000/1s", catalogue=catalogue)
    try:
        # honeyvt's own quota: one request an hour, so two samples stay queued.
        hv = Honeyvt(hv_bin, work, sim.url, "1/1h")
        hv.check(["enqueue", os.path.join(work, "samples")])
        name = "@honeyvt-test-notify-%d" % os.getpid()
        sock = listen(name)
        env = dict(hv.env, NOTIFY_SOCKET=name, WATCHDOG_USEC="1000000")
        p = subprocess.Popen(hv.args("run", "--no-follow", *hv.run_flags), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        msgs = collect(sock, 4)
        c.true("READY=1 first", bool(msgs) and "READY=1" in msgs[0].split("\n"), repr(msgs[:2]))
        c.true("MAINPID is the daemon", bool(msgs) and ("MAINPID=%d" % p.pid) in msgs[0],
               repr(msgs[:1]))
        pings = sum(1 for m in msgs if "WATCHDOG=1" in m.split("\n"))
        c.true("WATCHDOG=1 about every 0.5 s", 5 <= pings <= 12, "%d pings in 4 s" % pings)
        status = [m for m in msgs if "STATUS=" in m]
        last = status[-1].split("STATUS=", 1)[1].split("\n")[0] if status else ""
        c.true("STATUS= is the queue summary",
               re.fullmatch(r"2 to look up; quota used up, next request in (59|60) min", last),
               repr(last))
        p.send_signal(signal.SIGTERM)
        rest = collect(sock, 1)
        c.eq("SIGTERM: exit status", wait(p, 10), 0)
        c.true("STOPPING=1", any("STOPPING=1" in m for m in rest), repr(rest))
        sock.close()

        # A path socket, and no watchdog pings when WATCHDOG_USEC is not set.
        path = os.path.join(work, "notify.sock")
        sock = listen(path)
        env = dict(hv.env, NOTIFY_SOCKET=path)
        p = subprocess.Popen(hv.args("run", "--no-follow", *hv.run_flags), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        msgs = collect(sock, 2)
        p.send_signal(signal.SIGTERM)
        wait(p, 10)
        c.true("path socket: READY=1", any("READY=1" in m for m in msgs), repr(msgs))
        c.true("no watchdog unless asked", not any("WATCHDOG=1" in m for m in msgs), repr(msgs))
        sock.close()
    finally:
        sim.stop()


def journal(c, hv_bin, vtsim_bin, work):
    sim = Vtsim(vtsim_bin, work, QUOTA)
    try:
        hv = Honeyvt(hv_bin, work, sim.url, QUOTA)
        argv = hv.args("run", "--until-drained", "--no-follow", "--set", "log_level=info",
                       *hv.run_flags)
        # stderr is the journal when JOURNAL_STREAM names its device and inode.
        err = os.path.join(work, "journal.log")
        with open(err, "w") as f:
            st = os.fstat(f.fileno())
            env = dict(hv.env, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
            rc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=f).returncode
        c.eq("journal: exit status", rc, 0)
        lines = read(err).splitlines()
        c.true("journal: lines", len(lines) >= 2, repr(lines))
        c.true("journal: <6> prefixes, no timestamp",
               all(re.match(r"<6>info: ", l) for l in lines), repr(lines))
        # A rejected key is an error line (<3>), so `journalctl -p err` shows it.
        hv.check(["enqueue", "--hash", "0" * 32])
        wrong = dict(env, HONEYVT_API_KEY="wrong-" + "2" * 24)
        with open(err, "w") as f:
            st = os.fstat(f.fileno())
            wrong["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
            rc = subprocess.run(argv, env=wrong, stdout=subprocess.DEVNULL, stderr=f).returncode
        c.eq("journal: key rejected exit status", rc, 3)
        c.true("journal: <3> on the error", re.search(r"^<3>error: .*rejected the API key",
                                                     read(err), re.M), read(err))
        # Another file's identity: stderr is not the journal, the terminal format stays.
        with open(err, "w") as f:
            env = dict(hv.env, JOURNAL_STREAM="1:1")
            subprocess.run(argv, env=dict(env, HONEYVT_API_KEY=hv.env["HONEYVT_API_KEY"]),
                           stdout=subprocess.DEVNULL, stderr=f)
        lines = read(err).splitlines()
        c.true("terminal: timestamped lines",
               bool(lines) and all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:?\d\d honeyvt ", l)
                                   for l in lines), repr(lines))
    finally:
        sim.stop()


LOCKER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("COMMIT")
"""


def busy_dionaea(c, hv_bin, vtsim_bin, work):
    samples, catalogue = make_samples(work, known=2, unknown=0, missing=0, oversized=0)
    sim = Vtsim(vtsim_bin, work, QUOTA, catalogue=catalogue)
    try:
        hv = Honeyvt(hv_bin, work, sim.url, QUOTA)
        hv.check(["enqueue", os.path.join(work, "samples")])
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, hv.logsql, "8"],
                                  stdout=subprocess.PIPE, text=True)
        c.eq("dionaea holds the lock", locker.stdout.readline().strip(), "locked")
        t0 = time.time()
        log_path = os.path.join(work, "busy.log")
        with open(log_path, "w") as log:
            rc = wait(hv.start_run("--until-drained", "--set", "log_level=info", log=log), 120)
        took = time.time() - t0
        locker.wait(timeout=30)
        log = read(log_path)
        c.eq("busy logsql: exit status", rc, 0)
        c.true("busy logsql: waited for the lock", took >= 6, "%.1f s" % took)
        c.true("busy logsql: said so", "is locked by another process" in log, log)
        c.eq("busy logsql: drained", hv.status()["jobs"]["done"], 2)
        c.eq("busy logsql: verdicts stored",
             hv.query(hv.logsql, "SELECT count(*) FROM virustotals")[0][0], 2)
    finally:
        sim.stop()


def ownership(c, hv_bin, vtsim_bin, work):
    if os.geteuid() != 0:
        print("ownership: not root, the root trap cannot arise; checked by cli_test only")
        return
    nobody = 65534
    sample = os.path.join(work, "sample.bin")
    with open(sample, "wb") as f:
        f.write(b"a sample for the ownership test")
    logsql = os.path.join(work, "dionaea.sqlite")
    subprocess.run([hv_bin, "init-db", logsql], check=True, capture_output=True)
    env = dict(os.environ, HONEYVT_API_KEY="owner-test-key-" + "3" * 16)
    env.pop("HONEYVT_CONFIG", None)

    # The service user's folder, no database yet: root would create it.
    folder = os.path.join(work, "var-lib-honeyvt")
    os.makedirs(folder)
    os.chown(folder, nobody, nobody)
    state = os.path.join(folder, "state.sqlite")
    r = subprocess.run([hv_bin, "enqueue", "--logsql", logsql, "--state", state, sample],
                       env=env, capture_output=True, text=True)
    c.eq("root, service user's folder: refused", r.returncode, 2)
    c.true("names the owner and the command",
           "nobody" in r.stderr and "sudo -u nobody honeyvt enqueue --logsql" in r.stderr, r.stderr)
    c.eq("nothing created", os.listdir(folder), [])

    # The database exists and belongs to the service user (created as that user).
    subprocess.run(["setpriv", "--reuid", str(nobody), "--regid", str(nobody), "--clear-groups",
                    hv_bin, "enqueue", "--logsql", logsql, "--state", state, sample],
                   env=env, check=True, capture_output=True)
    before = {n: os.stat(os.path.join(folder, n)).st_uid for n in os.listdir(folder)}
    for cmd in (["enqueue", sample], ["backlog"], ["retry", "--failed"], ["status"],
                ["run", "--until-drained"]):
        r = subprocess.run([hv_bin, cmd[0], "--logsql", logsql, "--state", state] + cmd[1:],
                           env=env, capture_output=True, text=True)
        c.eq("root, service user's database: %s refused" % cmd[0], r.returncode, 2)
        c.true("%s: names the owner" % cmd[0], "belongs to user 'nobody'" in r.stderr, r.stderr)
    after = {n: os.stat(os.path.join(folder, n)).st_uid for n in os.listdir(folder)}
    c.eq("no file created or taken over by root", after, before)
    c.true("every file the service user's", all(u == nobody for u in after.values()), repr(after))


def main():
    hv_bin, vtsim_bin = sys.argv[1], sys.argv[2]
    c = Checks()
    for name, fn in (("notify", notify), ("journal", journal), ("busy dionaea", busy_dionaea),
                     ("ownership", ownership)):
        with tempfile.TemporaryDirectory(prefix="honeyvt-service-") as work:
            os.chmod(work, 0o755)  # the service user of the ownership test walks through
            t0 = time.time()
            try:
                fn(c, hv_bin, vtsim_bin, work)
            except Exception as e:  # noqa: BLE001 - report and go on with the next part
                c.true(name + " raised " + repr(e), False)
                for log in ("busy.log", "journal.log", "vtsim.log"):
                    path = os.path.join(work, log)
                    if os.path.exists(path):
                        print("--- " + log + "\n" + read(path)[-3000:])
            print("%s: %.1f s" % (name, time.time() - t0))
    return c.done("daemon_service_test")


if __name__ == "__main__":
    sys.exit(main())
