#!/usr/bin/env bash
# End-to-end checks of the honeyvt binary: help, version, exit codes, clear errors.
set -u
HONEYVT="$1"
# shellcheck source=e2e_lib.sh
. "$(dirname "$0")/e2e_lib.sh"

check help 0 "$HONEYVT" --help
expect_in help-lists-init-db out "init-db"
check version 0 "$HONEYVT" --version
expect_in version out "honeyvt "
check no-args 2 "$HONEYVT"
check unknown-command 2 "$HONEYVT" frobnicate
expect_in unknown-command err "unknown command 'frobnicate'"
check help-command 0 "$HONEYVT" help init-db
expect_in help-command out "PATH"
check bad-flag 2 "$HONEYVT" init-db --nope x

check init-db 0 "$HONEYVT" init-db "$tmp/new.sqlite"
check init-db-again 1 "$HONEYVT" init-db "$tmp/new.sqlite"
expect_in init-db-again err "already exists"
check db-info 0 "$HONEYVT" db-info "$tmp/new.sqlite"
expect_in db-info out "2015 or later"

check missing-db 1 "$HONEYVT" db-info "$tmp/missing.sqlite"
expect_in missing-db err "missing.sqlite"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && passed=$((passed+1)) || { echo "FAIL missing-db: not one line"; fail=$((fail+1)); }
[ ! -e "$tmp/missing.sqlite" ] && passed=$((passed+1)) || { echo "FAIL missing-db created a file"; fail=$((fail+1)); }

printf 'just text, not sqlite at all, long enough to have a header\n' >"$tmp/text.sqlite"
check not-sqlite 1 "$HONEYVT" db-info "$tmp/text.sqlite"
expect_in not-sqlite err "text.sqlite"

echo "[x]" >"$tmp/bad.toml"; echo "bogus = 1" >>"$tmp/bad.toml"
echo 'logsql = "/nonexistent"' >"$tmp/good.toml"

finish
