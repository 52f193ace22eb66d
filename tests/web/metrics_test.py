#!/usr/bin/env python3
"""/metrics of `honeyvt run` (web enabled) against vtsim: parses with Debian's
python3-prometheus-client, passes `promtool check metrics`, has every family at zero before
the first request, and the counters move as vtsim answers requests.

usage: metrics_test.py HONEYVT VTSIM   (run it with /usr/bin/python3: Debian's client)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from vtsim_harness import TEST_KEY, Vtsim, make_samples  # noqa: E402

FAMILIES = [
    "honeyvt_build_info", "honeyvt_queue_items", "honeyvt_queue_oldest_item_timestamp_seconds",
    "honeyvt_queue_enqueued", "honeyvt_queue_completed", "honeyvt_queue_retries",
    "honeyvt_sample_verdict_duration_seconds", "honeyvt_vt_requests", "honeyvt_vt_request_duration_seconds",
    "honeyvt_vt_upload_bytes", "honeyvt_vt_quota_limit_requests", "honeyvt_vt_quota_used_requests",
    "honeyvt_vt_quota_reset_timestamp_seconds", "honeyvt_vt_quota_wait_seconds", "honeyvt_vt_analysis_polls",
    "honeyvt_detection_ratio", "honeyvt_ingest_rows", "honeyvt_ingest_last_event_timestamp_seconds",
    "honeyvt_logsql_busy", "honeyvt_logsql_write_duration_seconds", "honeyvt_logsql_read_duration_seconds",
    "honeyvt_logsql_read_longest_seconds",
    "honeyvt_http_requests", "honeyvt_http_request_duration_seconds", "process_cpu_seconds",
    "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
]


def scrape(url):
    return urllib.request.urlopen(url + "metrics", timeout=10).read().decode()


def parse(text):
    from prometheus_client.parser import text_string_to_metric_families
    return {f.name: f for f in text_string_to_metric_families(text)}


def value(fams, name, sample, **labels):
    for s in fams[name].samples:
        if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None


def main():
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        print("SKIPPED: python3-prometheus-client is not installed")
        return 0
    honeyvt, vtsim = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    d = tempfile.mkdtemp(prefix="honeyvt-metrics-")
    samples, catalogue = make_samples(d, known=3, unknown=2, missing=0, oversized=0)
    sim = Vtsim(vtsim, d, quota="none", analysis_delay=1, catalogue=catalogue)
    run = None
    checks = 0
    try:
        logsql, state = os.path.join(d, "l.sqlite"), os.path.join(d, "s.sqlite")
        subprocess.run([honeyvt, "init-db", logsql], check=True, capture_output=True)
        env = dict(os.environ, HONEYVT_API_KEY=TEST_KEY)
        env.pop("HONEYVT_CONFIG", None)
        common = ["--logsql", logsql, "--state", state, "--set", "base_url=" + sim.url + "/api/v3/",
                  "--set", "quota=50/1s", "--set", "comment_delay=1"]
        log = open(os.path.join(d, "run.log"), "w")
        run = subprocess.Popen([honeyvt, "run"] + common + ["--set", "web=127.0.0.1:0", "--no-follow",
                               "--first-poll", "1", "--poll-min", "1", "--idle-recheck", "1"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
        url = None
        for _ in range(100):
            time.sleep(0.1)
            for line in open(os.path.join(d, "run.log")):
                if "dashboard and /metrics at " in line:
                    url = line.split("dashboard and /metrics at ")[1].split()[0]
            if url:
                break
        assert url, open(os.path.join(d, "run.log")).read()
        text = scrape(url)
        fams = parse(text)
        for f in FAMILIES:
            assert f in fams, "family missing before the first event: " + f
            checks += 1
        assert value(fams, "honeyvt_vt_requests", "honeyvt_vt_requests_total", endpoint="file_report", code="200") == 0
        assert value(fams, "honeyvt_queue_completed", "honeyvt_queue_completed_total", outcome="verdict") == 0
        checks += 2
        if shutil.which("promtool"):
            r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
            assert r.returncode == 0, r.stdout + r.stderr
            checks += 1
        else:
            print("note: promtool not installed; lint skipped")
        for s in samples:
            subprocess.run([honeyvt, "enqueue"] + common + [s["path"]], check=True, env=env,
                           capture_output=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            fams = parse(scrape(url))
            done = value(fams, "honeyvt_queue_completed", "honeyvt_queue_completed_total", outcome="verdict")
            if done == len(samples):
                break
            time.sleep(0.5)
        fams = parse(scrape(url))
        lookups = value(fams, "honeyvt_vt_requests", "honeyvt_vt_requests_total", api="v3", endpoint="file_report", code="200")
        misses = value(fams, "honeyvt_vt_requests", "honeyvt_vt_requests_total", api="v3", endpoint="file_report", code="404")
        uploads = value(fams, "honeyvt_vt_requests", "honeyvt_vt_requests_total", api="v3", endpoint="upload", code="200")
        assert lookups >= 3 and misses >= 2 and uploads == 2, (lookups, misses, uploads)
        assert value(fams, "honeyvt_queue_completed", "honeyvt_queue_completed_total", outcome="verdict") == len(samples)
        assert value(fams, "honeyvt_queue_enqueued", "honeyvt_queue_enqueued_total", source="cli") == len(samples)
        assert value(fams, "honeyvt_vt_upload_bytes", "honeyvt_vt_upload_bytes_total") > 0
        assert value(fams, "honeyvt_vt_analysis_polls", "honeyvt_vt_analysis_polls_count") == 2
        assert value(fams, "honeyvt_sample_verdict_duration_seconds", "honeyvt_sample_verdict_duration_seconds_count") == len(samples)
        sim_log = sim.log()
        served = len(sim_log) if isinstance(sim_log, list) else len(sim_log.get("requests", []))
        total = sum(s.value for s in fams["honeyvt_vt_requests"].samples)
        assert total == served or served == 0, (total, served)
        checks += 8
        print("metrics_test: %d checks passed" % checks)
        print("%d passed, 0 failed" % checks)
        return 0
    finally:
        if run:
            run.terminate()
            run.wait(timeout=20)
        sim.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
