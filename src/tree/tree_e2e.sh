#!/usr/bin/env bash
# End-to-end checks of `honeyvt tree` / `readlogsqltree` as a user runs them: the golden
# outputs from the databases' own folder with the same relative path, errors and exit
# codes, the read-only guarantee, and a reader that closes the pipe early.
set -u
HONEYVT=$(realpath "$1")
READLOGSQLTREE="$(dirname "$HONEYVT")/readlogsqltree"
HERE=$(cd "$(dirname "$0")" && pwd)
FIX="$HERE/../../tests/fixtures/dionaea"
fail=0; passed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
ok() { passed=$((passed+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

sqlite3 portable.sqlite <"$FIX/logsql_head_schema_seed.sql"
sqlite3 portable.sqlite <"$FIX/portable_data.sql"
cp portable.sqlite full.sqlite
sqlite3 full.sqlite <"$FIX/full_extra.sql"

TZ=UTC "$HONEYVT" tree portable.sqlite >out.txt 2>err.txt
[ $? -eq 0 ] && cmp -s out.txt "$FIX/expected_portable.txt" && ok || bad "portable golden"
TZ=UTC "$READLOGSQLTREE" full.sqlite >out.txt 2>err.txt
[ $? -eq 0 ] && cmp -s out.txt "$FIX/expected_full_compat.txt" && ok || bad "full golden via readlogsqltree"
[ ! -s err.txt ] && ok || bad "stderr not empty"

# Errors: the option and the value are named, exit 2, nothing on stdout.
"$HONEYVT" tree -t 'yesterday' full.sqlite >out.txt 2>err.txt; rc=$?
[ $rc -eq 2 ] && [ ! -s out.txt ] && grep -q -- "-t/--time-from.*'yesterday'" err.txt && ok \
  || bad "bad -t: rc=$rc $(cat err.txt)"
"$HONEYVT" tree -T '$(date +%s)-24*3600' full.sqlite >out.txt 2>err.txt; rc=$?
[ $rc -eq 2 ] && [ ! -s out.txt ] && ok || bad "raw SQL -T accepted: rc=$rc"
"$HONEYVT" tree -c '1 OR 1=1' full.sqlite >out.txt 2>err.txt; rc=$?
[ $rc -eq 2 ] && [ ! -s out.txt ] && grep -q -- "-c/--connection" err.txt && ok || bad "bad -c: rc=$rc"
"$HONEYVT" tree -p x full.sqlite >out.txt 2>err.txt; rc=$?
[ $rc -eq 2 ] && [ ! -s out.txt ] && ok || bad "bad -p: rc=$rc"
TZ=UTC "$HONEYVT" tree -c -5 -t 0 full.sqlite >out.txt 2>err.txt; rc=$?
[ $rc -eq 0 ] && [ "$(cat out.txt)" = "using database located at full.sqlite" ] && ok \
  || bad "negative -c: rc=$rc $(cat err.txt)"
TZ=UTC "$HONEYVT" tree -c 0 -r '' full.sqlite | cmp -s - "$FIX/expected_full_compat.txt" && ok \
  || bad "-c 0 and empty -r must add no condition"
TZ=UTC "$HONEYVT" tree --connection=7 --time-from=2010-10-07T17:00Z full.sqlite >out.txt
grep -q "connection 7 mssqld" out.txt && [ "$(grep -c '^20' out.txt)" -eq 1 ] && ok || bad "long options"

# Read-only: a missing database is an error and is never created.
"$HONEYVT" tree missing.sqlite >out.txt 2>err.txt; rc=$?
[ $rc -eq 1 ] && [ ! -e missing.sqlite ] && grep -q missing.sqlite err.txt && ok || bad "missing db"
chmod a-w full.sqlite
TZ=UTC "$HONEYVT" tree full.sqlite | cmp -s - "$FIX/expected_full_compat.txt" && ok || bad "read-only file"

# -q: header, query with a leading empty line, one final empty line; no database needed.
"$HONEYVT" tree -q -m abc nowhere.sqlite >out.txt; rc=$?
[ $rc -eq 0 ] && [ "$(head -1 out.txt)" = "using database located at nowhere.sqlite" ] \
  && [ "$(sed -n 2p out.txt)" = "" ] && [ "$(tail -1 out.txt)" = "" ] \
  && grep -q "download_md5_hash = ?" out.txt && ! grep -q abc out.txt && ok || bad "-q framing"

# A reader that leaves early: quiet exit 0, even on a 100,000-deep chain.
sqlite3 deep.sqlite <"$FIX/logsql_head_schema_seed.sql"
sqlite3 deep.sqlite "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 100000)
  INSERT INTO connections SELECT i,'listen','tcp','x',0,1,CASE WHEN i=1 THEN NULL ELSE i-1 END,
  'h',1,'','',0 FROM n;"
"$HONEYVT" tree deep.sqlite 2>err.txt | head -n 3 >out.txt
rc=${PIPESTATUS[0]}
[ $rc -eq 0 ] && [ ! -s err.txt ] && [ "$(wc -l <out.txt)" -eq 3 ] && ok \
  || bad "closed pipe: rc=$rc $(cat err.txt)"
"$HONEYVT" tree --format json full.sqlite 2>err.txt | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}
[ $rc -eq 0 ] && [ ! -s err.txt ] && ok || bad "closed pipe (json): rc=$rc"

# Help documents the extensions.
"$HONEYVT" tree --help >out.txt
grep -q -- "--latest-report" out.txt && grep -q -- "--format" out.txt && grep -q -- "--raw" out.txt \
  && ok || bad "help"

echo "$passed passed, $fail failed"
[ "$fail" -eq 0 ]
