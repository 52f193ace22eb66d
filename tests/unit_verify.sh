#!/usr/bin/env bash
# contrib/honeyvt.service: systemd parses it without a single warning (systemd-analyze
# verify prints unknown keys and bad values but still exits 0, so any output fails), it
# has the service integration the daemon implements, and the exit statuses it refuses to
# restart on are the ones `honeyvt help run` documents as needing an operator.
# usage: unit_verify.sh HONEYVT   (exit 77 = skipped: no systemd-analyze)
set -u
HONEYVT=$(realpath "$1")
UNIT=$(dirname "$0")/../contrib/honeyvt.service
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
fail=0; passed=0
ok() { passed=$((passed+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# ExecStart must name an executable that exists here; the rest is verified as written.
sed 's#^ExecStart=/usr/local/bin/honeyvt #ExecStart=/bin/true #' "$UNIT" > "$tmp/honeyvt.service"
grep -q '^ExecStart=/bin/true run --config' "$tmp/honeyvt.service" && ok || bad "ExecStart line"
out=$(systemd-analyze verify "$tmp/honeyvt.service" 2>&1); rc=$?
[ $rc -eq 0 ] && ok || bad "systemd-analyze verify exit $rc"
[ -z "$out" ] && ok || bad "systemd-analyze verify says: $out"

for line in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=5min' \
    'ExecReload=/bin/kill -HUP $MAINPID' 'RestartPreventExitStatus=2 3 5' 'LimitCORE=0' \
    'ProtectProc=invisible' 'ProcSubset=pid' 'PrivateIPC=yes' \
    'ReadOnlyPaths=/opt/dionaea/var/lib/dionaea/binaries' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'MemoryDenyWriteExecute=yes' 'CapabilityBoundingSet='; do
  grep -qxF "$line" "$UNIT" && ok || bad "missing: $line"
done

help=$("$HONEYVT" help run | tr '\n' ' ' | tr -s ' ')
for text in '2 usage or configuration error' '3 VirusTotal rejected the API key' \
    '4 another honeyvt run holds the state database' '5 a database cannot be opened or used'; do
  [[ "$help" == *"$text"* ]] && ok || bad "honeyvt help run lacks: $text"
done

echo "unit_verify: $passed passed, $fail failed"
[ "$fail" -eq 0 ]
