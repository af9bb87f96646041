#!/usr/bin/env bash
# Benchmark: godwit verify --source --target against reladiff 0.6 on a pair of equal PostgreSQL
# tables, and on SQLite ↔ PostgreSQL (which reladiff cannot do), with ROWS rows (default
# 1,000,000) of (bigint, text, text, timestamp, numeric(12,2), bool). The floor: one aggregate
# scan per side, `SELECT count(*), sum(hashtextextended(t::text, 0)) FROM t`, timed on the
# PostgreSQL table.
#
#   scripts/with-postgres bench/verify.sh [ROWS] [ROUNDS]
#
# ROUNDS (default 3) interleaved rounds of the four measurements; min and median are printed.
#
# Installs reladiff (PyPI) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"
rows=${1:-1000000}
rounds=${2:-3}
command -v reladiff >/dev/null || pip install -q reladiff psycopg2-binary >/dev/null

godwit=$(bench/godwit-binary)
work=$(mktemp -d /tmp/godwit-bench.XXXXXX)
admin="${GODWIT_TEST_POSTGRES_URL%%\?*}"
base="${admin%/*}"
trap 'rm -rf "$work"; for db in bench_verify_a bench_verify_b; do psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }

python3 bench/make-rows.py "$rows" "$work/t.db" "$work/t.csv"
psql -q "$admin" -c "DROP DATABASE IF EXISTS bench_verify_a WITH (FORCE)" -c "CREATE DATABASE bench_verify_a" >/dev/null 2>&1
psql -q "$base/bench_verify_a" -c "CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL, created_at timestamp NOT NULL, amount numeric(12,2) NOT NULL, active boolean NOT NULL)" \
  -c "\\copy t FROM '$work/t.csv' CSV" -c "VACUUM ANALYZE t"
psql -q "$admin" -c "DROP DATABASE IF EXISTS bench_verify_b WITH (FORCE)" -c "CREATE DATABASE bench_verify_b TEMPLATE bench_verify_a" >/dev/null 2>&1

a="${base/postgres:\/\//postgresql://}/bench_verify_a"; b="${base/postgres:\/\//postgresql://}/bench_verify_b"
declare -a scan_t reladiff_t pair_t cross_t
for round in $(seq 1 "$rounds"); do
  start=$(ms); psql -Atq "$base/bench_verify_a" -c "SELECT count(*), sum(hashtextextended(t::text, 0)) FROM t" >/dev/null; scan_t+=($(( $(ms) - start )))
  start=$(ms); differences=$(reladiff "$a" t "$b" t -k id -c name -c email -c created_at -c amount -c active 2>/dev/null); reladiff_t+=($(( $(ms) - start )))
  [ -z "$differences" ] || { echo "reladiff found differences: $differences" >&2; exit 1; }
  start=$(ms); "$godwit" verify --source "$base/bench_verify_a?sslmode=disable" --target "$base/bench_verify_b?sslmode=disable" >/dev/null; pair_t+=($(( $(ms) - start )))
  start=$(ms); "$godwit" verify --source "sqlite:$work/t.db" --target "$base/bench_verify_a?sslmode=disable" >/dev/null; cross_t+=($(( $(ms) - start )))
  echo "round $round: scan ${scan_t[-1]} ms, reladiff ${reladiff_t[-1]} ms, godwit pair ${pair_t[-1]} ms, godwit SQLite ↔ PostgreSQL ${cross_t[-1]} ms" >&2
done
minimum() { printf '%s\n' "$@" | sort -n | head -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { python3 -c "print(f'{$1/$2:.2f}x')"; }
echo "PostgreSQL $(psql -At "$base/bench_verify_a" -c 'SHOW server_version') (fsync off, synchronous_commit off: scripts/with-postgres); $rows rows; $rounds rounds; min / median (ms)"
printf '%-36s %6s / %6s\n' "one aggregate scan, one side" "$(minimum "${scan_t[@]}")" "$(median "${scan_t[@]}")"
printf '%-36s %6s / %6s\n' "reladiff, PostgreSQL pair" "$(minimum "${reladiff_t[@]}")" "$(median "${reladiff_t[@]}")"
printf '%-36s %6s / %6s   reladiff/godwit %s / %s\n' "godwit, PostgreSQL pair" "$(minimum "${pair_t[@]}")" "$(median "${pair_t[@]}")" \
  "$(ratio "$(minimum "${reladiff_t[@]}")" "$(minimum "${pair_t[@]}")")" "$(ratio "$(median "${reladiff_t[@]}")" "$(median "${pair_t[@]}")")"
printf '%-36s %6s / %6s   against the pair %s / %s\n' "godwit, SQLite ↔ PostgreSQL" "$(minimum "${cross_t[@]}")" "$(median "${cross_t[@]}")" \
  "$(ratio "$(minimum "${cross_t[@]}")" "$(minimum "${pair_t[@]}")")" "$(ratio "$(median "${cross_t[@]}")" "$(median "${pair_t[@]}")")"
