#!/usr/bin/env python3
"""The dashboard in a real browser: Debian's chromium driven by playwright-core (npm,
tests/web/package.json; it downloads no browser), against a fixture logsql full of hostile
strings and a `honeyvt run` (web enabled) working against vtsim.

usage: run_browser_tests.py HONEYVT VTSIM [SCREENSHOT_DIR]
Skips (exit 0, says so) when node, chromium or tests/web/node_modules are missing, unless
HVT_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from vtsim_harness import TEST_KEY, Vtsim  # noqa: E402
import hostile  # noqa: E402


def skip(why):
    if os.environ.get("HVT_REQUIRE_BROWSER") == "1":
        print("browser suite cannot run: " + why)
        sys.exit(1)
    print("SKIPPED: browser suite: " + why)
    sys.exit(0)


def make_fixture(honeyvt, d):
    db = os.path.join(d, "dionaea.sqlite")
    subprocess.run([honeyvt, "init-db", db], check=True, capture_output=True)
    bins = os.path.join(d, "binaries")
    os.makedirs(bins)
    con = sqlite3.connect(db)
    now = time.time() - 600
    samples = []
    for i, s in enumerate(hostile.STRINGS + [hostile.LONG]):
        data = ("honeyvt hostile sample %d\n" % i).encode()
        md5 = hashlib.md5(data).hexdigest()
        with open(os.path.join(bins, md5), "wb") as f:
            f.write(data)
        samples.append(md5)
        cur = con.execute(
            "INSERT INTO connections (connection_type, connection_transport, connection_protocol,"
            " connection_timestamp, local_host, local_port, remote_host, remote_hostname, remote_port)"
            " VALUES ('accept','tcp','smbd',?, '192.0.2.1', 445, ?, ?, 4000)",
            (now + i, "198.51.100.%d" % (i + 1), s))
        conn = cur.lastrowid
        con.execute("INSERT INTO downloads (connection, download_url, download_md5_hash) VALUES (?,?,?)",
                    (conn, "http://198.51.100.9/" + s, md5))
        con.execute("INSERT INTO logins (connection, login_username, login_password) VALUES (?,?,?)",
                    (conn, s, s))
        con.execute("INSERT INTO offers (connection, offer_url) VALUES (?,?)", (conn, s))
        # A stored verdict whose engine names are hostile too.
        vt = con.execute("INSERT INTO virustotals (virustotal_md5_hash, virustotal_timestamp,"
                         " virustotal_permalink) VALUES (?,?,?)",
                         (md5, int(now), "javascript:alert(1)")).lastrowid
        for e in range(3):
            con.execute("INSERT INTO virustotalscans (virustotal, virustotalscan_scanner,"
                        " virustotalscan_result) VALUES (?,?,?)",
                        (vt, "Engine%d%s" % (e, s[:40]), s if e else None))
    con.commit()
    con.close()
    return db, bins, samples


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    honeyvt, vtsim = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shots = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else os.path.join(os.getcwd(), "web-screenshots")
    if not shutil.which("node"):
        skip("node is not installed")
    chromium = os.environ.get("HVT_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(chromium):
        skip(chromium + " is not installed (apt-get install chromium)")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        skip("run `npm ci` in tests/web first (scripts/bootstrap does)")
    d = tempfile.mkdtemp(prefix="honeyvt-web-")
    sim = Vtsim(vtsim, d, quota="none", analysis_delay=1)
    run = None
    try:
        db, bins, samples = make_fixture(honeyvt, d)
        state = os.path.join(d, "state.sqlite")
        env = dict(os.environ, HONEYVT_API_KEY=TEST_KEY)
        env.pop("HONEYVT_CONFIG", None)
        common = ["--logsql", db, "--state", state, "--set", "base_url=" + sim.url + "/api/v3/",
                  "--set", "binaries=" + bins, "--set", "quota=50/1s", "--set", "comment_delay=1",
                  "--set", "log_level=warn"]
        subprocess.run([honeyvt, "enqueue"] + common + ["--hash", samples[0], samples[1]],
                       check=True, env=env, capture_output=True)
        # One sample fails for good (missing file), so Retry has something to change.
        subprocess.run([honeyvt, "enqueue"] + common + ["--hash", "0" * 32], check=True, env=env,
                       capture_output=True)
        sconn = sqlite3.connect(state)
        sconn.execute("UPDATE jobs SET state='failed', last_error='missing file: <script>x</script>'"
                      " WHERE md5 = ?", ("0" * 32,))
        sconn.commit()
        sconn.close()
        log = open(os.path.join(d, "run.log"), "w")
        run = subprocess.Popen([honeyvt, "run"] + common + ["--set", "web=127.0.0.1:0", "--set", "log_level=info", "--no-follow",
                               "--first-poll", "1", "--poll-min", "1", "--idle-recheck", "1"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
        url = None
        for _ in range(100):
            time.sleep(0.1)
            with open(os.path.join(d, "run.log")) as f:
                for line in f:
                    if "dashboard and /metrics at " in line:
                        url = line.split("dashboard and /metrics at ")[1].split()[0]
            if url:
                break
        if not url:
            print(open(os.path.join(d, "run.log")).read())
            raise RuntimeError("honeyvt run did not start the dashboard")
        # Let the rollups see the fixture.
        for _ in range(50):
            body = urllib.request.urlopen(url + "api/v1/queue/summary").read().decode()
            if '"rollups_as_of":null' not in body:
                break
            time.sleep(0.2)
        token = open(state + ".web-token").read().strip()
        # Fidelity: the tree page must show exactly what `honeyvt tree` prints for the root.
        tree_file = os.path.join(d, "tree-4.txt")
        with open(tree_file, "wb") as f:
            f.write(subprocess.run([honeyvt, "tree", "-c", "4", db], check=True, env=env,
                                   capture_output=True).stdout)
        os.makedirs(shots, exist_ok=True)
        node_env = dict(os.environ, DASHBOARD_URL=url, DASHBOARD_TOKEN=token, SCREENSHOT_DIR=shots,
                        CHROMIUM=chromium, HOSTILE_SAMPLE=samples[3], HOSTILE_ROOT="4",
                        FAILED_HASH="0" * 32, VTSIM_URL=sim.url, TREE_EXPECTED=tree_file)
        r = subprocess.run(["node", os.path.join(HERE, "dashboard.test.mjs")], env=node_env, cwd=HERE)
        return r.returncode
    finally:
        if run:
            run.terminate()
            try:
                run.wait(timeout=20)
            except subprocess.TimeoutExpired:
                run.kill()
        sim.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
