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

# --help: the summaries start in one column, right of the longest command name.
check help-columns 0 "$HONEYVT" --help
awk '/^commands:/ { on = 1; next } on && /^$/ { exit }
     on { match($0, /^  [a-z-]+ +/); if (length($1) > longest) longest = length($1); col[++n] = RLENGTH }
     END { for (i = 1; i <= n; i++) if (col[i] != col[1] || col[i] < longest + 4) bad = 1; exit bad + 0 }' \
  "$tmp/out" && passed=$((passed+1)) \
  || { echo "FAIL help-columns: command summaries not aligned after the longest name"; cat "$tmp/out"; fail=$((fail+1)); }
expect_in help-columns out "  import-dionaea-cache  take over"
expect_in help-lists-global-options out "--config FILE"

# Global options before the command mean what they mean after it (honeyvt --config F CMD).
md5=68b329da9893e34099c7d8ad5cb9c940
printf 'state = "%s"\n' "$tmp/from-config.sqlite" >"$tmp/good.toml"
check global-config 0 "$HONEYVT" --config "$tmp/good.toml" enqueue --hash "$md5"
expect_in global-config out "from-config.sqlite"
check global-config-equals 0 "$HONEYVT" --config="$tmp/good.toml" status --json
expect_in global-config-equals out '"lookup": 1'
check global-state 0 "$HONEYVT" --state "$tmp/global.sqlite" enqueue --hash "$md5"
[ -f "$tmp/global.sqlite" ] && passed=$((passed+1)) || { echo "FAIL global-state: no state file"; fail=$((fail+1)); }
check after-command 0 "$HONEYVT" enqueue --hash "$md5" --state "$tmp/after.sqlite"
[ -f "$tmp/after.sqlite" ] && passed=$((passed+1)) || { echo "FAIL after-command: no state file"; fail=$((fail+1)); }
# A command's own --set comes later and wins over a global one on the same key.
check set-precedence 0 "$HONEYVT" --set "state=$tmp/g.sqlite" enqueue --hash "$md5" --set "state=$tmp/c.sqlite"
[ -f "$tmp/c.sqlite" ] && [ ! -e "$tmp/g.sqlite" ] && passed=$((passed+1)) \
  || { echo "FAIL set-precedence: the command's --set did not win"; fail=$((fail+1)); }
check global-set-checked 2 "$HONEYVT" --set log_level=loud status --state "$tmp/global.sqlite"
expect_in global-set-checked err "log_level"
check global-report 0 "$HONEYVT" --logsql "$tmp/new.sqlite" report summary --format csv
expect_in global-report out "totals,samples,0"
check global-twice 2 "$HONEYVT" --state a.sqlite status --state b.sqlite
expect_in global-twice err "--state is given both before and after the command"
check global-unknown 2 "$HONEYVT" --until-drained run
expect_in global-unknown err "unknown option '--until-drained' before the command"
check global-no-value 2 "$HONEYVT" --config
expect_in global-no-value err "--config needs a value"
check global-no-command 2 "$HONEYVT" --config "$tmp/good.toml"
expect_in global-no-command err "a command must follow the global options"
check global-not-for-tree 2 "$HONEYVT" --logsql "$tmp/new.sqlite" tree "$tmp/new.sqlite"
expect_in global-not-for-tree err "'tree' reads no configuration"
check global-then-help 0 "$HONEYVT" --config "$tmp/good.toml" help run
expect_in global-then-help out "--until-drained"

finish
