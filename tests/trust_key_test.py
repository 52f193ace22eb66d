#!/usr/bin/env python3
"""The API key goes only to VirusTotal or loopback, and does not linger on the host
(issue 15). Real honeyvt processes:
 - HONEYVT_API_KEY is gone from /proc/PID/environ once read (a command that waits on
   stdin after reading its configuration shows it);
 - `honeyvt run` makes itself non-dumpable: its /proc/PID files (environ, mem, status)
   belong to root even when
   it runs as another user (checked as nobody when the test runs as root), and its
   environment shows no key;
 - an api_key_file readable by group or others is refused, naming the file and its mode,
   unless api_key_file_insecure_ok = true; the systemd unit sets LimitCORE=0;
 - base URLs whose host only looks like loopback are refused before anything is sent;
 - with the one-letter key "K", the engine names stored from vtsim's reports are exact
   ("Kaspersky", not "<redacted>aspersky"); messages that echo a key are redacted (the
   vt unit tests check that with the same one-letter key).
usage: trust_key_test.py HONEYVT VTSIM
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vtsim_harness  # noqa: E402
from vtsim_harness import Checks, Honeyvt, Vtsim, make_samples, wait  # noqa: E402

SECRET = "key-test-" + "9" * 24


def environ_of(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        return f.read()


def key_leaves_the_environment(hv_bin, work, c):
    env = dict(os.environ, HONEYVT_API_KEY=SECRET)
    env.pop("HONEYVT_CONFIG", None)
    state = os.path.join(work, "env-state.sqlite")
    p = subprocess.Popen([hv_bin, "enqueue", "--state", state, "--logsql",
                          os.path.join(work, "none.sqlite"), "--hash", "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    try:
        gone = False
        deadline = time.time() + 15
        while time.time() < deadline and p.poll() is None:
            if SECRET.encode() not in environ_of(p.pid):
                gone = True
                break
            time.sleep(0.05)
        c.true("HONEYVT_API_KEY left /proc/PID/environ", gone)
        c.true("...while the process still ran", p.poll() is None)
    finally:
        p.stdin.close()
        p.wait(timeout=30)


def daemon_is_not_dumpable(hv_bin, work, c):
    open_dir = os.path.join(work, "world-writable")
    os.makedirs(open_dir)
    os.chmod(work, 0o755)
    os.chmod(open_dir, 0o777)
    logsql = os.path.join(open_dir, "dionaea.sqlite")
    subprocess.run([hv_bin, "init-db", logsql], check=True, capture_output=True)
    os.chmod(logsql, 0o666)
    env = dict(os.environ, HONEYVT_API_KEY=SECRET)
    env.pop("HONEYVT_CONFIG", None)
    as_root = os.geteuid() == 0
    extra = {"user": 65534, "group": 65534} if as_root else {}
    log = open(os.path.join(work, "daemon.log"), "w+")
    p = subprocess.Popen([hv_bin, "run", "--no-follow", "--logsql", logsql, "--state",
                          os.path.join(open_dir, "state.sqlite"), "--set",
                          "base_url=http://127.0.0.1:9/api/v3/", "--idle-recheck", "1"],
                         stdout=log, stderr=log, env=env, **extra)
    try:
        runs_as = 65534 if as_root else os.getuid()
        owner = None
        deadline = time.time() + 15
        while time.time() < deadline and p.poll() is None:
            owner = os.stat("/proc/%d/environ" % p.pid).st_uid
            if owner == 0 and runs_as != 0:
                break
            time.sleep(0.05)
        c.true("honeyvt run is running", p.poll() is None)
        c.eq("/proc/PID/environ of the daemon belongs to root (not dumpable)", owner, 0)
        if as_root:
            c.true("no key in the daemon's environment", SECRET.encode() not in environ_of(p.pid))
        # Stop it once it runs its loop (its signal handlers are installed by then).
        while time.time() < deadline and p.poll() is None:
            log.seek(0)
            if "honeyvt run: state" in log.read():
                break
            time.sleep(0.05)
    finally:
        p.send_signal(signal.SIGTERM)
        c.eq("daemon exit status", wait(p, 30), 0)
        log.close()


def key_file_modes(hv_bin, work, c):
    key = os.path.join(work, "apikey")
    with open(key, "w") as f:
        f.write(SECRET + "\n")
    env = dict(os.environ)
    env.pop("HONEYVT_API_KEY", None)
    env.pop("HONEYVT_CONFIG", None)
    base = [hv_bin, "status", "--state", os.path.join(work, "mode-state.sqlite"), "--logsql",
            os.path.join(work, "none.sqlite"), "--set", "api_key_file=" + key]
    subprocess.run([hv_bin, "enqueue", "--state", os.path.join(work, "mode-state.sqlite"),
                    "--hash", "0" * 32], env=env, capture_output=True, check=True)
    for mode in (0o644, 0o640, 0o604):
        os.chmod(key, mode)
        r = subprocess.run(base, env=env, capture_output=True, text=True)
        c.eq("mode %04o refused" % mode, r.returncode, 2)
        c.true("message names the file", key in r.stderr, r.stderr)
        c.true("message names the mode", ("mode %04o" % mode) in r.stderr, r.stderr)
        c.true("the key is not printed", SECRET not in r.stderr + r.stdout)
        ok = subprocess.run(base + ["--set", "api_key_file_insecure_ok=true"], env=env,
                            capture_output=True, text=True)
        c.eq("mode %04o accepted when insecure_ok" % mode, ok.returncode, 0)
    os.chmod(key, 0o600)
    c.eq("mode 0600 accepted", subprocess.run(base, env=env, capture_output=True).returncode, 0)
    unit = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "contrib",
                        "honeyvt.service")
    with open(unit) as f:
        c.true("the systemd unit sets LimitCORE=0", "\nLimitCORE=0\n" in f.read())


def hostile_base_urls(hv_bin, work, c):
    env = dict(os.environ, HONEYVT_API_KEY=SECRET)
    env.pop("HONEYVT_CONFIG", None)
    logsql = os.path.join(work, "url.sqlite")
    subprocess.run([hv_bin, "init-db", logsql], check=True, capture_output=True)
    for url in ("http://127.evil.test/api/v3/", "http://localhost.evil.test/api/v3/",
                "http://127.0.0.1@evil.test/api/v3/", "http://[::ffff:127.0.0.1]/api/v3/",
                "http://127.0.0.1./api/v3/"):
        r = subprocess.run([hv_bin, "run", "--no-follow", "--until-drained", "--logsql", logsql,
                            "--state", os.path.join(work, "url-state.sqlite"),
                            "--set", "base_url=" + url], env=env, capture_output=True,
                           text=True, timeout=60)
        c.eq("refused " + url, r.returncode, 2)
        c.true("reason for " + url, "plain http is allowed only to a loopback host" in r.stderr,
               r.stderr)


def one_letter_key(hv_bin, sim_bin, c):
    vtsim_harness.TEST_KEY = "K"
    with tempfile.TemporaryDirectory(prefix="honeyvt-key-") as work:
        samples, catalogue = make_samples(work, known=3, unknown=0, missing=0, oversized=0)
        sim = Vtsim(sim_bin, work, "100000/1s", analysis_delay=0, catalogue=catalogue)
        try:
            hv = Honeyvt(hv_bin, work, sim.url, "1000/1m")
            hv.check(["enqueue", "--hash"] + [s["md5"] for s in samples])
            c.eq("run --until-drained", wait(hv.start_run("--no-follow", "--until-drained"), 60), 0)
            scanners = {r[0] for r in hv.query(hv.logsql, "SELECT virustotalscan_scanner "
                                                          "FROM virustotalscans")}
            engines = {r[0] for r in hv.query(hv.logsql, "SELECT engine FROM "
                                                         "honeyvt_engine_results")}
            c.true("Kaspersky stored exactly", "Kaspersky" in scanners | engines,
                   str(sorted(scanners | engines)[:20]))
            c.true("no redaction in report data",
                   not any("<redacted>" in n for n in scanners | engines))
        finally:
            sim.stop()
            vtsim_harness.TEST_KEY = "vtsim-test-key-" + "0" * 16


def main():
    hv_bin, sim_bin = sys.argv[1], sys.argv[2]
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="honeyvt-key-") as work:
        key_leaves_the_environment(hv_bin, work, c)
        daemon_is_not_dumpable(hv_bin, work, c)
        key_file_modes(hv_bin, work, c)
        hostile_base_urls(hv_bin, work, c)
    one_letter_key(hv_bin, sim_bin, c)
    return c.done("trust_key_test")


if __name__ == "__main__":
    sys.exit(main())
