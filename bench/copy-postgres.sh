#!/usr/bin/env bash
# Benchmark: copy a PostgreSQL database into an empty one — godwit copy against pgcopydb clone
# (Debian's pgcopydb) and against `pg_dump -Fc | pg_restore`, on the same server.
#
#   scripts/with-postgres bench/copy-postgres.sh [ROWS] [ROUNDS]
#
# The source: one table `t (id bigint PRIMARY KEY, name text, email text, created_at timestamp,
# amount numeric(12,2), active boolean)` with ROWS rows (default 1,000,000) from bench/make-rows.py.
# Each tool fills a fresh empty database: rows, primary key, ANALYZE where the tool does it.
# pgcopydb runs with --table-jobs 2 --index-jobs 2 (godwit's default is 2 workers; the machine
# has 2 cores). ROUNDS (default 3) interleaved rounds; min and median are printed. Every copy is
# checked: the same row count and the same md5 of the ordered rows as the source.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"
rows=${1:-1000000}
rounds=${2:-3}
command -v pgcopydb >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgcopydb >/dev/null; }
godwit=$(bench/godwit-binary)
work=$(mktemp -d /tmp/godwit-bench.XXXXXX)
admin="${GODWIT_TEST_POSTGRES_URL%%\?*}"
base="${admin%/*}"
databases="bench_copy_source bench_copy_godwit bench_copy_pgcopydb bench_copy_dump"
trap 'rm -rf "$work"; for db in $databases; do psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
fresh() { psql -q "$admin" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null 2>&1; }

python3 bench/make-rows.py "$rows" "$work/t.db" "$work/t.csv"
fresh bench_copy_source
psql -q "$base/bench_copy_source" -c "CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL, created_at timestamp NOT NULL, amount numeric(12,2) NOT NULL, active boolean NOT NULL)" \
  -c "\\copy t FROM '$work/t.csv' CSV" -c "VACUUM ANALYZE t" >/dev/null
fingerprint="SELECT count(*) || ' ' || md5(string_agg(t::text, '|' ORDER BY id)) FROM t"
expected=$(psql -Atq "$base/bench_copy_source" -c "$fingerprint")
check() {
  local found
  found=$(psql -Atq "$base/$1" -c "$fingerprint")
  [ "$found" = "$expected" ] || { echo "$2 copied other rows: $found, expected $expected" >&2; exit 1; }
  psql -Atq "$base/$1" -c "SELECT count(*) FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'p'" | grep -qx 1 \
    || { echo "$2 left no primary key" >&2; exit 1; }
}

declare -a godwit_t pgcopydb_t dump_t
for round in $(seq 1 "$rounds"); do
  fresh bench_copy_godwit
  start=$(ms); "$godwit" copy --from "$base/bench_copy_source?sslmode=disable" --to "$base/bench_copy_godwit?sslmode=disable" --quiet >/dev/null; godwit_t+=($(( $(ms) - start )))
  check bench_copy_godwit "godwit"
  fresh bench_copy_pgcopydb; rm -rf "$work/pgcopydb"
  start=$(ms); pgcopydb clone --source "$base/bench_copy_source" --target "$base/bench_copy_pgcopydb" --dir "$work/pgcopydb" \
    --table-jobs 2 --index-jobs 2 --no-owner --no-acl >"$work/pgcopydb.log" 2>&1 || { cat "$work/pgcopydb.log" >&2; exit 1; }
  pgcopydb_t+=($(( $(ms) - start )))
  check bench_copy_pgcopydb "pgcopydb"
  fresh bench_copy_dump
  start=$(ms); pg_dump -Fc -d "$base/bench_copy_source" | pg_restore --no-owner -d "$base/bench_copy_dump"; dump_t+=($(( $(ms) - start )))
  check bench_copy_dump "pg_dump | pg_restore"
  echo "round $round: godwit ${godwit_t[-1]} ms, pgcopydb ${pgcopydb_t[-1]} ms, pg_dump | pg_restore ${dump_t[-1]} ms" >&2
done
minimum() { printf '%s\n' "$@" | sort -n | head -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { python3 -c "print(f'{$1/$2:.2f}x')"; }
echo "PostgreSQL $(psql -At "$admin" -c 'SHOW server_version') (fsync off, synchronous_commit off: scripts/with-postgres); $rows rows; $rounds rounds; min / median (ms)"
echo "pgcopydb $(pgcopydb --version 2>/dev/null | awk '/^pgcopydb version/ {print $3}'): $(minimum "${pgcopydb_t[@]}") / $(median "${pgcopydb_t[@]}")"
echo "pg_dump -Fc | pg_restore: $(minimum "${dump_t[@]}") / $(median "${dump_t[@]}")"
echo "godwit copy: $(minimum "${godwit_t[@]}") / $(median "${godwit_t[@]}")   godwit/pgcopydb $(ratio "$(minimum "${godwit_t[@]}")" "$(minimum "${pgcopydb_t[@]}")") / $(ratio "$(median "${godwit_t[@]}")" "$(median "${pgcopydb_t[@]}")")"
