#!/usr/bin/env python3
"""The dashboard's figures (issue 18), printed:

  - p50/p95 of every /api/v1 answer on a logsql of 255,000 connections and 50,000 samples
    (target: p95 <= 100 ms);
  - the weight of every page, gzipped, with everything it loads (target: <= 150 KB);
  - while the dashboard's API is asked again and again, a writer that commits a new
    connection to logsql every 10 ms as dionaea does (Python's sqlite3 with its default
    busy timeout, which dionaea's logsql module uses): its SQLITE_BUSY errors (target: 0)
    and commit times, and the longest read transaction of the dashboard on logsql from
    its own /metrics (target: <= 50 ms).

usage: web_bench.py BUILD_DIR [BENCH_DIR] [SECONDS]
The database is generated once as BENCH_DIR/web255k.sqlite (gen_logsql, a few minutes)
and copied for each run (the writer adds rows to the copy).
"""
import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

CONNECTIONS, SAMPLES = 255000, 50000


def get(url, host):
    req = urllib.request.Request(url, headers={"Host": host})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read()


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def start_dashboard(honeyvt, logsql, state):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HONEYVT_")}
    proc = subprocess.Popen(
        [honeyvt, "web", "--logsql", logsql, "--state", state, "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    sys.exit("web_bench: honeyvt web did not start")


def wait_caught_up(url, host, limit_s):
    start = time.time()
    while time.time() - start < limit_s:
        s = json.loads(get(url + "api/v1/status", host)[1])
        rollups_lag = sum(c.get("lag_rows", 0) for c in s["rollups"]["cursors"])
        if s["rollups"]["ready"] and rollups_lag == 0 and s["report_replica"]["caught_up"]:
            return time.time() - start
        time.sleep(1)
    sys.exit("web_bench: the rollups or the report replica did not catch up in %d s" % limit_s)


def page_weight(url, host, route):
    """Bytes of the page and of every script, module and style sheet it loads, each
    gzipped (level 6, as a compressing proxy would serve them)."""
    seen, todo, raw, packed = set(), [route], 0, 0
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        body = get(url.rstrip("/") + path, host)[1]
        raw += len(body)
        packed += len(gzip.compress(body, 6))
        text = body.decode("utf-8", "replace")
        if path == route:
            refs = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', text)
        else:
            refs = [os.path.normpath(os.path.join(os.path.dirname(path), r)) for r in
                    re.findall(r'(?:import|from)\s*(?:\(\s*)?["\'](\.{1,2}/[^"\']+)["\']', text)]
            refs += re.findall(r'["\'](/assets/[^"\']+\.(?:js|css))["\']', text)
        todo.extend(refs)
    return raw, packed, len(seen)


class Writer(threading.Thread):
    """dionaea under attack: one connection row committed every 10 ms."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.stop, self.busy, self.commits, self.times = path, False, 0, 0, []

    def run(self):
        con = sqlite3.connect(self.path)  # Python's default busy timeout (5 s), as dionaea
        while not self.stop:
            t0 = time.perf_counter()
            try:
                con.execute(
                    "INSERT INTO connections (connection_type, connection_transport, "
                    "connection_protocol, connection_timestamp, local_host, local_port, "
                    "remote_host, remote_hostname, remote_port) "
                    "VALUES ('accept','tcp','smbd',?, '10.0.0.1', 445, '192.0.2.7', '', 40000)",
                    (time.time(),))
                con.commit()
                self.commits += 1
            except sqlite3.OperationalError as e:
                if "locked" in str(e) or "busy" in str(e):
                    self.busy += 1
                    con.rollback()
                else:
                    raise
            self.times.append(time.perf_counter() - t0)
            time.sleep(max(0.0, 0.010 - (time.perf_counter() - t0)))
        con.close()


def metric_values(text, name):
    out = {}
    for m in re.finditer(r'^%s\{reader="([a-z_]+)"\} (\S+)$' % re.escape(name), text, re.M):
        out[m.group(1)] = float(m.group(2))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    bench_dir = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("BENCH_DIR", "/tmp/honeyvt-bench")
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 30
    honeyvt = os.path.join(build, "src", "honeyvt")
    os.makedirs(bench_dir, exist_ok=True)
    base = os.path.join(bench_dir, "web255k.sqlite")
    if not os.path.exists(base):
        subprocess.run([os.path.join(build, "bench", "gen_logsql"), base + ".tmp", str(CONNECTIONS),
                        "42", str(SAMPLES)], check=True)
        os.rename(base + ".tmp", base)
    work = tempfile.mkdtemp(prefix="honeyvt-webbench-", dir=bench_dir)
    try:
        logsql = os.path.join(work, "logsql.sqlite")
        shutil.copyfile(base, logsql)
        con = sqlite3.connect(logsql)
        counts = [con.execute("SELECT count(*) FROM " + t).fetchone()[0]
                  for t in ("connections", "downloads", "virustotals", "virustotalscans")]
        samples = con.execute("SELECT count(DISTINCT download_md5_hash) FROM downloads").fetchone()[0]
        journal = con.execute("PRAGMA journal_mode").fetchone()[0]
        root = con.execute("SELECT connection FROM connections WHERE connection_root = connection "
                           "AND connection IN (SELECT connection FROM downloads) LIMIT 1 OFFSET 500"
                           ).fetchone()[0]
        con.close()
        print("logsql: %d connections, %d downloads of %d samples, %d VirusTotal reports, "
              "%d scan rows (journal_mode=%s)" % (counts[0], counts[1], samples, counts[2], counts[3],
                                                  journal))
        proc, url = start_dashboard(honeyvt, logsql, os.path.join(work, "state.sqlite"))
        host = url.split("/")[2]
        try:
            print("first rollup pass and report copy: %.1f s" % wait_caught_up(url, host, 1200))
            samples_page = json.loads(get(url + "api/v1/samples?window=all&limit=50", host)[1])
            md5 = samples_page["rows"][0]["md5"]
            endpoints = [
                "api/v1/overview?window=24h", "api/v1/overview?window=30d",
                "api/v1/overview?window=all", "api/v1/queue/summary", "api/v1/queue",
                "api/v1/quota?window=24h", "api/v1/samples?window=all",
                "api/v1/samples?window=all&verdict=undetected",
                "api/v1/samples?window=all&before=" + str(samples_page.get("next_before") or ""),
                "api/v1/samples?window=all&missed_by=Sophos0",
                "api/v1/samples/" + md5, "api/v1/attacks?window=all",
                "api/v1/attacks?window=24h", "api/v1/attacks/%d" % root,
                "api/v1/reports/summary", "api/v1/reports/families?limit=100",
                "api/v1/reports/families", "api/v1/reports/undetected?vendor=Sophos0&limit=100",
                "api/v1/reports/history?md5=" + md5,
                "api/v1/status",
            ]
            # Warm each once (a report is computed in the background on first ask).
            for e in endpoints:
                for _ in range(600):
                    status, body = get(url + e, host)
                    if b'"pending"' not in body[:200]:
                        break
                    time.sleep(0.5)
                if status != 200:
                    sys.exit("web_bench: %s answered %d" % (e, status))
            # The reports page asks for 100 rows (its default limit); without a limit an
            # answer carries every row of the report, as the CLI's JSON export does (megabytes,
            # sent from the kept report without a copy).
            unpaged = {"api/v1/reports/families"}
            worst = 0.0
            print("%-52s %8s %8s %8s %9s" % ("GET (30 times each)", "p50 ms", "p95 ms", "max ms",
                                             "KB"))
            for e in endpoints:
                times = []
                size = 0
                for _ in range(30):
                    t0 = time.perf_counter()
                    size = len(get(url + e, host)[1])
                    times.append((time.perf_counter() - t0) * 1000)
                p95 = percentile(times, 95)
                worst = max(worst, p95)
                print("%-52s %8.1f %8.1f %8.1f %9.1f%s" % (
                    "/" + e[:51], percentile(times, 50), p95, max(times), size / 1024,
                    "  (every row, unpaged)" if e in unpaged else ""))
            print("API p95, worst endpoint (unpaged report answers included): %.1f ms "
                  "(target <= 100 ms)" % worst)

            heaviest = 0
            for route in ("/", "/samples", "/samples/" + md5, "/attacks", "/attacks/%d" % root,
                          "/queue", "/quota", "/reports/summary", "/status", "/login"):
                raw, packed, files = page_weight(url, host, route)
                heaviest = max(heaviest, packed)
                print("page %-46s %3d files %8.1f KB, gzipped %6.1f KB" % (route, files, raw / 1024,
                                                                          packed / 1024))
            print("heaviest page gzipped: %.1f KB (target <= 150 KB)" % (heaviest / 1024))

            writer = Writer(logsql)
            writer.start()
            api = [e for e in endpoints if "/reports/" not in e]
            asked, failed, end = 0, {}, time.time() + seconds
            while time.time() < end:
                for e in api:
                    try:
                        get(url + e, host)
                    except urllib.error.HTTPError as err:
                        failed[err.code] = failed.get(err.code, 0) + 1
                    asked += 1
            writer.stop = True
            writer.join()
            metrics = get(url + "metrics", host)[1].decode()
            longest = metric_values(metrics, "honeyvt_logsql_read_longest_seconds")
            busy = re.search(r"^honeyvt_logsql_busy_total (\S+)$", metrics, re.M)
            print("writer every 10 ms for %.0f s while the dashboard answered %d API requests: "
                  "%d commits, %d SQLITE_BUSY (target 0), commit p99 %.1f ms, max %.1f ms" % (
                      seconds, asked, writer.commits, writer.busy,
                      percentile(writer.times, 99) * 1000, max(writer.times) * 1000))
            print("dashboard answers that were errors meanwhile (status: count): %s" % (failed or "none"))
            print("dashboard's busy errors on logsql: %s" % (busy.group(1) if busy else "?"))
            print("longest logsql read transaction by reader (ms): " +
                  ", ".join("%s %.1f" % (k, v * 1000) for k, v in sorted(longest.items())))
            print("longest logsql read transaction: %.1f ms (target <= 50 ms)" %
                  (max(longest.values()) * 1000))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
