#!/usr/bin/env bash
# The fleet's figures (issue 17), against a private PostgreSQL cluster started here:
#   1. claim throughput: claims + completions per second, 1 to 8 workers, no VirusTotal;
#   2. time to reclaim a killed worker's jobs, scaled (500 ms heartbeat) and production
#      (10 s) settings;
#   3. quota accuracy: 10 runs of the shared-quota scenario (6 workers, 3 sensors, 300
#      samples against vtsim): quota errors, windows over their limit, use of the binding
#      window (about 80 s per run).
# Usage: bench/fleet.sh BUILD_DIR [--quick]   (--quick: 1 quota run, 1 reclaim run each)
set -euo pipefail
BUILD_DIR=${1:-build}
quick=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
state="$BUILD_DIR/pg-bench"
"$here/../scripts/pg-test-cluster" start "$state" "$BUILD_DIR/src/honeyvt" >/dev/null
trap '"$here/../scripts/pg-test-cluster" stop "$state" >/dev/null' EXIT
export HVT_PG_TEST_STATE="$state"
runs=3
quota_runs=10
if [ "$quick" = "--quick" ]; then runs=1; quota_runs=1; fi
echo "== fleet (issue 17): claim throughput ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
"$BUILD_DIR/bench/fleet_claim_bench" "$(cat "$state/dsn")" 5 40000
echo "== fleet (issue 17): time to reclaim a killed worker's jobs"
python3 "$here/fleet_reclaim.py" "$BUILD_DIR" 500ms "$runs"
python3 "$here/fleet_reclaim.py" "$BUILD_DIR" 10s "$runs"
echo "== fleet (issue 17): quota accuracy, shared-quota scenario x $quota_runs"
python3 "$here/../tests/fleet_scenarios_test.py" "$BUILD_DIR/src/honeyvt" \
  "$BUILD_DIR/tools/vtsim/vtsim" shared_quota --runs "$quota_runs" | grep -E "^shared quota run|checks passed"
