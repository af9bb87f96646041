#!/usr/bin/env bash
# Benchmark: what application traffic sees while a migration runs.
#
#   scripts/with-postgres bench/online.sh [SCALE [SECONDS]]
#
# A pgbench database (scale SCALE, default 10: 1,000,000 accounts) serves a steady TPC-B-like
# workload (2 clients, rate-limited to 200 transactions/s so latency means something on a
# shared 2-core machine). The same change — pgbench_accounts.abalance from integer to bigint,
# which rewrites the table — is made three ways while the workload runs, and for each window the
# failed transactions and the p50/p99 latency are reported:
#   - baseline: no migration;
#   - godwit apply (downtime: zero): shadow column, two-way trigger, batched backfill, checks,
#     a short switch under lock_timeout with retries, cleanup;
#   - plain ALTER TABLE … TYPE bigint: one rewrite under ACCESS EXCLUSIVE.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-10}
# The baseline window (default 20 s); the workload under godwit runs 2×SECONDS + 5 s.
seconds=${2:-20}
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"

godwit=$(bench/godwit-binary)
work=$(mktemp -d /tmp/godwit-bench.XXXXXX)
admin="${GODWIT_TEST_POSTGRES_URL%%\?*}"
base="${admin%/*}"
db=bench_online
trap 'rm -rf "$work"; psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

init() {
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null 2>&1
  pgbench -q -i -s "$scale" "$base/$db" >/dev/null 2>&1
  psql -q "$base/$db" -c "VACUUM ANALYZE" >/dev/null
}

mkdir "$work/migrations"
cat > "$work/migrations/001_abalance_bigint.yaml" <<'YAML'
name: abalance to bigint
downtime: zero
operations:
  - alter_column: {table: pgbench_accounts, column: abalance, type: bigint, up: "abalance::bigint", down: "abalance::integer"}
YAML

# Starts the workload for $1 seconds in the background (its pid in $pid), logging every transaction.
workload() {
  rm -f "$work"/pgbench_log.*
  (cd "$work" && exec pgbench -n -c 2 -j 1 -R 200 -T "$1" -l "$base/$db" > "$work/pgbench.out" 2>&1) &
  pid=$!
}

# Failed transactions and latency percentiles of the transactions that ended in [start, end] (epoch s).
window() {
  python3 - "$work" "$1" "$2" <<'PY'
import glob, sys
work, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
latencies, failed = [], 0
for path in glob.glob(work + "/pgbench_log.*"):
    for line in open(path):
        fields = line.split()
        when = int(fields[4]) + int(fields[5]) / 1e6
        if start <= when <= end:
            if fields[2] in ("failed", "serialization", "deadlock"): failed += 1
            else: latencies.append(int(fields[2]) / 1000)
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
print(f"{len(latencies)} {failed} {pick(0.5):.2f} {pick(0.99):.2f} {latencies[-1] if latencies else 0:.1f}")
PY
}

now() { python3 -c 'import time; print(time.time())'; }

report() { # name, start, end, pid
  wait "$4" || true
  local errors; errors=$(grep -Eci "error|abort" "$work/pgbench.out" || true)
  read -r count failed p50 p99 worst <<<"$(window "$2" "$3")"
  printf '%-24s %6.1fs  %7d tx  %3d failed  %3d client errors  p50 %6.2f ms  p99 %8.2f ms  max %8.1f ms\n' \
    "$1" "$(python3 -c "print($3 - $2)")" "$count" "$failed" "$errors" "$p50" "$p99" "$worst"
}

# The workload runs its full time; only transactions inside the window count.
init
workload $((seconds + 6)); sleep 3; start=$(now); sleep "$seconds"; end=$(now)
report "baseline" "$start" "$end" "$pid"

init
workload $((2 * seconds + 5)); sleep 3; start=$(now)
"$godwit" apply "$work/migrations" --db "$base/$db?sslmode=disable" --retention 0s --unrehearsed --yes ${GODWIT_APPLY_OPTIONS:-} > "$work/godwit.out"
end=$(now)
report "godwit apply (online)" "$start" "$end" "$pid"
psql -Atq "$base/$db" -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'pgbench_accounts'::regclass AND attname = 'abalance'" | grep -qx bigint

init
workload $((seconds * 3 / 4 > 6 ? seconds * 3 / 4 : 6)); sleep 3; start=$(now)
psql -q "$base/$db" -c "ALTER TABLE pgbench_accounts ALTER COLUMN abalance TYPE bigint"
end=$(now)
report "plain ALTER TABLE" "$start" "$end" "$pid"
