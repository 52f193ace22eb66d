# Shared helpers of the end-to-end shell tests; source it after `set -u`.
# Provides $tmp (removed on exit), the counters and check / expect_in / finish.
fail=0; passed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check() {  # check NAME EXPECTED_STATUS COMMAND...: runs it, output in $tmp/out, $tmp/err
  local name=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; cat "$tmp/out" "$tmp/err"; fail=$((fail+1))
  else passed=$((passed+1)); fi
}
expect_in() {  # expect_in NAME FILE TEXT: FILE (out or err) of the last check holds TEXT
  if ! grep -qF -- "$3" "$tmp/$2"; then
    echo "FAIL $1: '$3' not in $2:"; cat "$tmp/$2"; fail=$((fail+1))
  else passed=$((passed+1)); fi
}
finish() {  # prints the tally; the script's status is 0 only if nothing failed
  echo "$passed passed, $fail failed"
  [ "$fail" -eq 0 ]
}
