#!/usr/bin/env bash
# Benchmark: godwit verify --source --target against reladiff 0.6 on a pair of equal PostgreSQL
# tables, and on SQLite ↔ PostgreSQL (which reladiff cannot do), with ROWS rows (default
# 1,000,000) of (bigint, text, text, timestamp, numeric(12,2), bool). The floor: one aggregate
# scan per side, `SELECT count(*), sum(hashtextextended(t::text, 0)) FROM t`, timed on the
# PostgreSQL table.
#
#   scripts/with-postgres bench/verify.sh [ROWS]
#
# Installs reladiff (PyPI) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"
rows=${1:-1000000}
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

start=$(ms); psql -Atq "$base/bench_verify_a" -c "SELECT count(*), sum(hashtextextended(t::text, 0)) FROM t" >/dev/null; scan=$(( $(ms) - start ))

a="${base/postgres:\/\//postgresql://}/bench_verify_a"; b="${base/postgres:\/\//postgresql://}/bench_verify_b"
start=$(ms); differences=$(reladiff "$a" t "$b" t -k id -c name -c email -c created_at -c amount -c active); reladiff_ms=$(( $(ms) - start ))
[ -z "$differences" ] || { echo "reladiff found differences: $differences" >&2; exit 1; }

start=$(ms); "$godwit" verify --source "$base/bench_verify_a?sslmode=disable" --target "$base/bench_verify_b?sslmode=disable" >/dev/null; pair=$(( $(ms) - start ))
start=$(ms); "$godwit" verify --source "sqlite:$work/t.db" --target "$base/bench_verify_a?sslmode=disable" >/dev/null; cross=$(( $(ms) - start ))

printf '%-34s %8s\n' "one aggregate scan, one side (ms)" "$scan"
printf '%-34s %8s\n' "reladiff, PostgreSQL pair (ms)" "$reladiff_ms"
printf '%-34s %8s   reladiff/godwit %s, godwit/(2 scans) %s\n' "godwit, PostgreSQL pair (ms)" "$pair" \
  "$(python3 -c "print(f'{$reladiff_ms/$pair:.2f}x')")" "$(python3 -c "print(f'{$pair/(2*$scan):.2f}x')")"
printf '%-34s %8s\n' "godwit, SQLite ↔ PostgreSQL (ms)" "$cross"
