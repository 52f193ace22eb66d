#!/usr/bin/env bash
# End-to-end checks of `honeyvt report`: help texts, formats, exit codes, read-only use,
# add-indexes. Uses the dionaea fixtures in tests/fixtures/ (portable + full_extra).
set -u
HONEYVT="$1"
FIXTURES="$(dirname "$0")/fixtures"
# shellcheck source=e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"
db="$tmp/full.sqlite"
sqlite3 "$db" <"$FIXTURES/dionaea/logsql_head_schema_seed.sql"
sqlite3 "$db" <"$FIXTURES/dionaea/portable_data.sql"
sqlite3 "$db" <"$FIXTURES/dionaea/full_extra.sql"
before=$(md5sum <"$db")

check help 0 "$HONEYVT" report --help
cp "$tmp/out" "$tmp/help"
for sub in aliases signatures undetected summary families history add-indexes; do
  expect_in "help-lists-$sub" help "$sub"
  check "help-$sub" 0 "$HONEYVT" report "$sub" --help
  expect_in "help-$sub-counts" out "What is counted:"
done
check no-subcommand 2 "$HONEYVT" report
check summary 0 "$HONEYVT" report summary --logsql "$db" --format table
expect_in summary-samples out "samples_without_verdict      2"
check summary-piped 0 "$HONEYVT" report summary --logsql "$db"
expect_in summary-piped-is-csv out "totals,samples_without_verdict,2"
if command -v script >/dev/null; then  # a pseudo-terminal: the default is the table
  check summary-tty 0 script -qec "$HONEYVT report summary --logsql $db" /dev/null
  expect_in summary-tty-is-table out "samples_without_verdict      2"
fi
check aliases-csv 0 "$HONEYVT" report aliases rimecud --logsql "$db" --format csv
expect_in aliases-csv-header out "name,samples,scan_rows"
expect_in aliases-csv-row out "Worm.Win32.Rimecud,1,3"
check undetected-json 0 "$HONEYVT" report undetected Avast --logsql "$db" --format json
expect_in undetected-json out '"vulnerabilities": "MS03-39, MS08-67"'
if command -v python3 >/dev/null; then
  cp "$tmp/out" "$tmp/doc.json"
  check json-valid 0 python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/doc.json"
fi
check families-window 0 "$HONEYVT" report families --logsql "$db" --since 2010-10-07 --until 2010-10-08
expect_in families-window out "rimecud"
check history 0 "$HONEYVT" report history 3eab379ddac7d80d3e38399fd273ddd4 --logsql "$db"
expect_in history-note err "no report history"
check bad-md5 2 "$HONEYVT" report history "x' OR 1=1" --logsql "$db"
check bad-time 2 "$HONEYVT" report summary --logsql "$db" --since soon
check bad-format 2 "$HONEYVT" report summary --logsql "$db" --format xml
check missing-db 1 "$HONEYVT" report summary --logsql "$tmp/missing.sqlite"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && passed=$((passed+1)) || { echo "FAIL missing-db: not one line"; fail=$((fail+1)); }
[ ! -e "$tmp/missing.sqlite" ] && passed=$((passed+1)) || { echo "FAIL missing-db created a file"; fail=$((fail+1)); }
printf 'not a database, just some text that is long enough\n' >"$tmp/text.sqlite"
check corrupt-db 1 "$HONEYVT" report summary --logsql "$tmp/text.sqlite"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && passed=$((passed+1)) || { echo "FAIL corrupt-db: not one line"; fail=$((fail+1)); }
[ "$(md5sum <"$db")" = "$before" ] && passed=$((passed+1)) || { echo "FAIL reports changed the database"; fail=$((fail+1)); }

for r in summary families "aliases rimecud" "signatures rimecud" "aliases --family rimecud"; do
  # shellcheck disable=SC2086
  "$HONEYVT" report $r --logsql "$db" --format csv >"$tmp/plain-${r// /_}" 2>/dev/null
done
check add-indexes 0 "$HONEYVT" report add-indexes --logsql "$db"
expect_in add-indexes out "created honeyvt_virustotalscans_result_idx"
expect_in add-indexes-cache out "rebuilt honeyvt_verdicts"
for r in summary families "aliases rimecud" "signatures rimecud" "aliases --family rimecud"; do
  # shellcheck disable=SC2086
  "$HONEYVT" report $r --logsql "$db" --format csv >"$tmp/cached" 2>"$tmp/err"
  cmp -s "$tmp/cached" "$tmp/plain-${r// /_}" && [ ! -s "$tmp/err" ] && passed=$((passed+1)) ||
    { echo "FAIL cache changes '$r'"; diff "$tmp/plain-${r// /_}" "$tmp/cached"; fail=$((fail+1)); }
done
check add-indexes-again 0 "$HONEYVT" report add-indexes --logsql "$db"
expect_in add-indexes-again out "present honeyvt_virustotalscans_result_idx"
check aliases-indexed 0 "$HONEYVT" report aliases rimecud --logsql "$db" --format csv
expect_in aliases-indexed out "Worm.Win32.Rimecud,1,3"

finish
