#!/usr/bin/env bash
# End-to-end checks of `honeyvt backlog` and `honeyvt import-dionaea-cache` through the
# binary: idempotence, hostile rows, the vtcache file left byte-for-byte unchanged, and
# `honeyvt run` following new downloads and files (VirusTotal unreachable on loopback:
# only the queueing is checked). Needs sqlite3.
set -u
HONEYVT=$(realpath "$1")
fail=0; passed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; [ -n "${run_pid:-}" ] && kill "$run_pid" 2>/dev/null' EXIT
ok() { passed=$((passed+1)); }
bad() { echo "FAIL $1"; [ -f "$tmp/out" ] && cat "$tmp/out"; fail=$((fail+1)); }
jobs_count() { sqlite3 "$tmp/state.sqlite" "SELECT count(*) FROM jobs"; }

cd "$tmp" || exit 1
mkdir binaries
"$HONEYVT" init-db dionaea.sqlite >/dev/null || { echo "FAIL init-db"; exit 1; }
printf 'hello' > binaries/5d41402abc4b2a76b9719d911017c592
sqlite3 dionaea.sqlite "INSERT INTO connections (connection_type, connection_timestamp)
  VALUES ('accept', 1286470647.5);
  INSERT INTO downloads (connection, download_url, download_md5_hash) VALUES
  (1,'a','5d41402abc4b2a76b9719d911017c592'), (1,'a','5d41402abc4b2a76b9719d911017c592'),
  (1,'b','../../etc/passwd'), (1,'c','0123456789abcdef0123456789abcdef'),
  (1,'d','ffffffffffffffffffffffffffffffff');
  INSERT INTO virustotals (virustotal_md5_hash, virustotal_timestamp, virustotal_permalink)
  VALUES ('ffffffffffffffffffffffffffffffff', 1286470000, 'x');"
common=(--logsql dionaea.sqlite --state state.sqlite --binaries binaries)

"$HONEYVT" backlog "${common[@]}" >out 2>&1 && ok || bad "backlog exit"
grep -qF "2 sample(s) without a report (3 downloads): 2 added" out && ok || bad "backlog counts"
grep -qF "1 download md5 value(s) are not hex" out && ok || bad "backlog invalid"
grep -qF "at the configured quota" out && ok || bad "backlog eta"
"$HONEYVT" backlog "${common[@]}" >out 2>&1 && ok || bad "backlog again exit"
grep -qF "0 added, 0 updated, 2 already queued" out && ok || bad "backlog idempotent"
[ "$(jobs_count)" = 2 ] && ok || bad "backlog jobs"
[ "$(sqlite3 state.sqlite "SELECT priority FROM jobs WHERE md5='5d41402abc4b2a76b9719d911017c592'")" = 2 ] \
  && ok || bad "backlog priority = downloads"

sqlite3 vtcache.sqlite "CREATE TABLE backlogfiles (backlogfile INTEGER PRIMARY KEY,
  status TEXT NOT NULL, md5_hash TEXT NOT NULL, path TEXT NOT NULL, timestamp INTEGER NOT NULL,
  scan_id TEXT, lastcheck_time INTEGER, submit_time INTEGER);
  INSERT INTO backlogfiles (status, md5_hash, path, timestamp, scan_id) VALUES
  ('new-', '5d41402abc4b2a76b9719d911017c592', '/etc/passwd', 1, NULL),
  ('query-', '7d793037a0760186574b0282f2f435e7', '/x', 1,
   '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f-1286470647'),
  ('comment-', '9f86d081884c7d659a2feaa0c55ad015', '/x', 1, NULL),
  ('stuck?', '../x', '/x', 1, NULL);"
before=$(sha256sum vtcache.sqlite)
"$HONEYVT" import-dionaea-cache vtcache.sqlite "${common[@]}" >out 2>&1 && ok || bad "import exit"
[ "$(sha256sum vtcache.sqlite)" = "$before" ] && ok || bad "vtcache modified"
grep -qF "imported 3 sample(s): 2 added, 0 updated, 1 already queued" out && ok || bad "import counts"
grep -qF "1 invalid row(s)" out && ok || bad "import invalid"
[ "$(sqlite3 state.sqlite "SELECT may_upload || may_comment FROM honeyvt_ingest_intent WHERE md5='9f86d081884c7d659a2feaa0c55ad015'")" = 00 ] \
  && ok || bad "import intent"
"$HONEYVT" import-dionaea-cache missing.sqlite "${common[@]}" >out 2>&1
[ $? -eq 1 ] && ok || bad "import missing file exit"
rm -f out

# honeyvt run follows new downloads and new files (VirusTotal unreachable: queueing only).
HONEYVT_API_KEY=loopback-test-key "$HONEYVT" run --logsql dionaea.sqlite --state state.sqlite \
  --set binaries=binaries --set base_url=http://127.0.0.1:9 \
  >run.log 2>&1 &
run_pid=$!
sleep 2
printf 'world' > binaries/7d793037a0760186574b0282f2f435e7.tmp
mv binaries/7d793037a0760186574b0282f2f435e7.tmp binaries/sample-from-cowrie
# A download whose file has not arrived: awaited (10 min grace), not queued yet.
sqlite3 dionaea.sqlite "INSERT INTO connections (connection_type, connection_timestamp)
  VALUES ('accept', strftime('%s','now') + 0.5);
  INSERT INTO downloads (connection, download_url, download_md5_hash)
  VALUES (last_insert_rowid(), 'e', '$(printf 'late file' | md5sum | cut -c1-32)')"
sleep 1
printf 'late file' > "binaries/$(printf 'late file' | md5sum | cut -c1-32)"
for _ in $(seq 1 50); do [ "$(jobs_count)" = 5 ] && break; sleep 0.2; done
[ "$(jobs_count)" = 5 ] && ok || { cat run.log; bad "run follows (jobs $(jobs_count), want 5)"; }
[ -n "$(sqlite3 state.sqlite "SELECT path FROM jobs WHERE md5='7d793037a0760186574b0282f2f435e7'")" ] \
  && ok || bad "moved-in file gives the hash-only job its path"
kill -TERM "$run_pid"; wait "$run_pid"; rc=$?; run_pid=
[ $rc -eq 0 ] && ok || bad "run exit on SIGTERM ($rc)"

echo "ingest_e2e: $passed passed, $fail failed"
[ "$fail" -eq 0 ]
